package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@link AgentSession}s on an OpenAI Realtime (or protocol-compatible, like {@link LocalAgentServer})
 * WebSocket endpoint. One connector serves many calls: it owns the HTTP client and its virtual-thread executor.
 *
 * <p>Not in this slice: reconnecting a dropped socket and rolling over at the 60-minute session limit; a drop
 * reaches the listener as {@link AgentEvent.Closed}.
 */
public final class RealtimeConnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeConnector.class);
    /** Larger than any sane event (a 10 s audio delta is ~640 KB of base64), small enough to bound memory. */
    public static final int DEFAULT_MAX_EVENT_CHARS = 4 * 1024 * 1024;

    private final AgentConfig config;
    private final Duration connectTimeout;
    private final int maxEventChars;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public RealtimeConnector(AgentConfig config) {
        this(config, Duration.ofSeconds(10), DEFAULT_MAX_EVENT_CHARS);
    }

    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars) {
        this.config = config;
        this.connectTimeout = connectTimeout;
        this.maxEventChars = maxEventChars;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(connectTimeout).build();
    }

    /**
     * Starts connecting and returns at once, so the caller can begin while the call still rings. The future
     * completes once the socket is open and {@code session.update} is queued; it fails if the endpoint cannot be
     * reached (the message names the URL, never the key).
     */
    public CompletableFuture<AgentSession> open(String callId, AgentListener listener) {
        RealtimeSession session = new RealtimeSession(callId, config, listener, json, maxEventChars);
        URI uri = endpoint();
        var builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        if (config.apiKey().isPresent()) {
            builder.header("Authorization", "Bearer " + config.apiKey().reveal());
        }
        long started = System.nanoTime();
        return builder.buildAsync(uri, session)
                .handle((ws, error) -> {
                    if (error != null) {
                        log.warn("agent connect failed callId={} url={} error={}", callId, config.url(),
                                error.getCause() == null ? error.toString() : error.getCause().toString());
                        throw new AgentConnectException("could not open agent socket at " + config.url(), error);
                    }
                    log.info("agent session open callId={} url={} model={} connectMs={}", callId, config.url(),
                            config.model(), (System.nanoTime() - started) / 1_000_000);
                    session.start();
                    return (AgentSession) session;
                });
    }

    URI endpoint() {
        String base = config.url().toString();
        String sep = base.contains("?") ? "&" : "?";
        return URI.create(base + sep + "model=" + URLEncoder.encode(config.model(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
