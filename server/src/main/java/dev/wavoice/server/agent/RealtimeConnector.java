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
    private final AgentHealth health;
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
        this(config, connectTimeout, maxEventChars, policy, AgentHealth.detached());
    }

    /**
     * @param connectTimeout bounds opening a socket, and the first socket's wait for {@code session.updated}
     * @param health         counts failures and keeps the latest outcome for {@code /ready} and the dashboard
     */
    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars, SessionPolicy policy,
                             AgentHealth health) {
        this.config = config;
        this.health = health;
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
     * completes once the server has accepted the session configuration ({@code session.updated}); it fails with an
     * {@link AgentConnectException} whose {@link AgentFailure} says whether the agent is unreachable or refused us
     * for good (the message names the URL, never the key). The session returned is a {@link RealtimeSession}.
     */
    public CompletableFuture<AgentSession> open(String callId, AgentListener listener) {
        long started = System.nanoTime();
        RealtimeSession session = new RealtimeSession(callId, config, policy, listener, json, maxEventChars,
                socket -> dial(callId, socket), timers, health, connectTimeout);
        return session.connect().handle((s, error) -> {
            if (error != null) {
                Throwable cause = AgentFailures.unwrap(error);
                AgentConnectException failed = cause instanceof AgentConnectException e ? e
                        : new AgentConnectException("could not open an agent session at " + config.url(),
                                AgentFailures.fromConnectError(cause), cause);
                // A permanent failure was logged at WARN once by AgentHealth; every call would repeat it.
                if (failed.failure() != null && failed.failure().permanent()) {
                    log.info("agent connect failed callId={} url={} failure=\"{}\"", callId, config.url(),
                            failed.failure());
                } else {
                    log.warn("agent connect failed callId={} url={} failure=\"{}\"", callId, config.url(),
                            failed.failure());
                }
                throw failed;
            }
            log.info("agent session open callId={} url={} model={} connectMs={}", callId, config.url(),
                    config.model(), (System.nanoTime() - started) / 1_000_000);
            return s;
        });
    }

    /**
     * Opens one session and closes it at once: checks the URL, key, model and session configuration without a
     * call (no audio is sent, so nothing is billed). The outcome goes to {@link AgentHealth}; the future completes
     * either way, with the failure or null.
     */
    public CompletableFuture<AgentFailure> check() {
        health.checking();
        return open("startup-check", event -> { }).handle((s, error) -> {
            if (error == null) {
                s.close();
                return null;
            }
            AgentFailure failure = AgentFailures.unwrap(error) instanceof AgentConnectException e ? e.failure() : null;
            health.checkFailed(failure);
            return failure;
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

    public AgentConfig config() {
        return config;
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
