package dev.wavoice.server.agent.stream;

import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.CallAgentSettings;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a Media Streams socket to one bot per call ({@code WAVOICE_AGENT=stream}), each told the call's facts in
 * {@code start.customParameters}. One HTTP client for every call to this bot.
 */
public final class MediaStreamsConnector implements AutoCloseable {
    private final StreamSettings settings;
    private final CallAgentSettings perCall;
    private final StreamCounters counters;
    private final Duration connectTimeout;
    private final HttpClient http;

    public MediaStreamsConnector(StreamSettings settings, CallAgentSettings perCall, StreamCounters counters,
            Duration connectTimeout) {
        this.settings = settings;
        this.perCall = perCall;
        this.counters = counters;
        this.connectTimeout = connectTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    public StreamSettings settings() {
        return settings;
    }

    /** Returns at once; completes when the bot has accepted the socket. */
    public CompletableFuture<AgentSession> open(String callId, AgentListener listener) {
        return MediaStreamsSession.open(http, settings, callId, perCall.facts(callId), listener, counters,
                connectTimeout);
    }

    @Override
    public void close() {
        http.close();
    }
}
