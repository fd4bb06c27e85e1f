package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@link AgentSession}s on an OpenAI Realtime (or protocol-compatible, like {@link LocalAgentServer})
 * WebSocket endpoint. One connector serves many calls: it owns the HTTP client, its virtual-thread executor and
 * one timer thread shared by all sessions.
 *
 * <p>Long calls: a session whose socket drops mid-call reconnects with bounded jittered backoff, and rolls over to
 * a new socket before the service's 60-minute session limit (opened and configured before the old one closes);
 * either way the new socket gets the instructions plus a summary of the transcript so far, and the listener hears
 * {@link AgentEvent.Reconnected}. Only when reconnecting gives up does {@link AgentEvent.Closed} follow. See
 * {@link SessionPolicy} for the knobs.
 */
public final class RealtimeConnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeConnector.class);
    /** Larger than any sane event (a 10 s audio delta is ~640 KB of base64), small enough to bound memory. */
    public static final int DEFAULT_MAX_EVENT_CHARS = 4 * 1024 * 1024;

    private final AgentConfig config;
    private final Duration connectTimeout;
    private final int maxEventChars;
    private final SessionPolicy policy;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledThreadPoolExecutor timers;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public RealtimeConnector(AgentConfig config) {
        this(config, Duration.ofSeconds(10), DEFAULT_MAX_EVENT_CHARS);
    }

    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars) {
        this(config, connectTimeout, maxEventChars, SessionPolicy.defaults());
    }

    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars, SessionPolicy policy) {
        this.config = config;
        this.connectTimeout = connectTimeout;
        this.maxEventChars = maxEventChars;
        this.policy = policy;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(connectTimeout).build();
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "agent-timers");
            t.setDaemon(true);
            return t;
        });
        // Every session schedules its rollover an hour ahead; a finished call must not leave its timers queued.
        timers.setRemoveOnCancelPolicy(true);
    }

    /**
     * Starts connecting and returns at once, so the caller can begin while the call still rings. The future
     * completes once the socket is open and {@code session.update} is queued; it fails if the endpoint cannot be
     * reached (the message names the URL, never the key). The session returned is a {@link RealtimeSession}.
     */
    public CompletableFuture<AgentSession> open(String callId, AgentListener listener) {
        long started = System.nanoTime();
        RealtimeSession session = new RealtimeSession(callId, config, policy, listener, json, maxEventChars,
                socket -> dial(callId, socket), timers);
        return session.connect()
                .handle((s, error) -> {
                    if (error != null) {
                        Throwable cause = error.getCause() == null ? error : error.getCause();
                        log.warn("agent connect failed callId={} url={} error={}", callId, config.url(),
                                cause.getCause() == null ? cause.toString() : cause.getCause().toString());
                        throw new AgentConnectException("could not open agent socket at " + config.url(), cause);
                    }
                    log.info("agent session open callId={} url={} model={} connectMs={}", callId, config.url(),
                            config.model(), (System.nanoTime() - started) / 1_000_000);
                    return s;
                });
    }

    /** Opens one socket for a session; the Authorization header is the only place the key goes. */
    private CompletableFuture<WebSocket> dial(String callId, RealtimeSocket socket) {
        var builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        if (config.apiKey().isPresent()) {
            builder.header("Authorization", "Bearer " + config.apiKey().reveal());
        }
        // Off the caller's thread (the JDK may resolve the host name before returning the future), and completed
        // on ours rather than a common-pool thread, since the session configures and swaps sockets on it.
        return CompletableFuture.supplyAsync(() -> builder.buildAsync(endpoint(), socket), executor)
                .thenCompose(f -> f)
                .handleAsync((ws, error) -> {
                    if (error != null) {
                        throw error instanceof CompletionException ce ? ce : new CompletionException(error);
                    }
                    socket.attach(ws);
                    return ws;
                }, executor);
    }

    URI endpoint() {
        String base = config.url().toString();
        String sep = base.contains("?") ? "&" : "?";
        return URI.create(base + sep + "model=" + URLEncoder.encode(config.model(), StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        timers.shutdownNow();
        http.shutdownNow();
        executor.shutdownNow();
    }
}
