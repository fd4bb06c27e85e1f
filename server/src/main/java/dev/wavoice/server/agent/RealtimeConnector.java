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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private final CallAgentSettings perCall;
    private final Duration connectTimeout;
    private final int maxEventChars;
    private final SessionPolicy policy;
    private final AgentHealth health;
    private final AgentKeepAlive keepAlive;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledThreadPoolExecutor timers;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final RealtimeCalls calls;
    /** The session part of every offer: voice and model are fixed when the agent's call is created. */
    private final String sessionJson;

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
        this(config, connectTimeout, maxEventChars, policy, health, AgentKeepAlive.defaults());
    }

    /** @param keepAlive how often each socket pings, and how long a silent one is kept */
    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars, SessionPolicy policy,
                             AgentHealth health, AgentKeepAlive keepAlive) {
        this(config, connectTimeout, maxEventChars, policy, health, keepAlive, new CallAgentSettings());
    }

    /** @param perCall what a call placed with its own agent settings asks for instead of {@code config}'s */
    public RealtimeConnector(AgentConfig config, Duration connectTimeout, int maxEventChars, SessionPolicy policy,
                             AgentHealth health, AgentKeepAlive keepAlive, CallAgentSettings perCall) {
        this.config = config;
        this.perCall = perCall;
        this.keepAlive = keepAlive;
        this.health = health;
        this.connectTimeout = connectTimeout;
        this.maxEventChars = maxEventChars;
        this.policy = policy;
        this.http = HttpClient.newBuilder().executor(executor).connectTimeout(connectTimeout).build();
        this.calls = new RealtimeCalls(config, http, connectTimeout, json);
        this.sessionJson = new RealtimeClientEvents(json, false).sessionJson(config);
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
        return open(callId, listener, null);
    }

    /**
     * As {@link #open(String, AgentListener)}, over WebRTC when {@code media} is given: each of the session's
     * connections is a media leg offered to the calls endpoint plus a sideband socket ({@code ?call_id=}) for the
     * events; the audio never passes through the session. A leg that fails counts as a lost socket, so it is replaced
     * (new offer, new call id, context restored) like a dropped WebSocket. The future completes once the first leg's
     * media is connected and its session configured.
     */
    public CompletableFuture<AgentSession> open(String callId, AgentListener listener, AgentMedia media) {
        long started = System.nanoTime();
        AtomicInteger legs = new AtomicInteger();
        RealtimeSession session = new RealtimeSession(callId, perCall.effective(callId, config), policy, listener,
                json, maxEventChars,
                media == null ? socket -> dial(callId, socket) : socket -> dialLeg(media, legs.incrementAndGet(), socket),
                timers, health, connectTimeout, media == null);
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
        return check(null);
    }

    /** As {@link #check()}, over WebRTC when {@code media} is given (one leg connected, configured, closed). */
    public CompletableFuture<AgentFailure> check(AgentMedia media) {
        health.checking();
        return open("startup-check", event -> { }, media).handle((s, error) -> {
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
        return dialSocket(endpoint(), socket);
    }

    private CompletableFuture<WebSocket> dialSocket(URI uri, RealtimeSocket socket) {
        var builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        if (config.apiKey().isPresent()) {
            builder.header("Authorization", "Bearer " + config.apiKey().reveal());
        }
        // Off the caller's thread (the JDK may resolve the host name before returning the future), and completed
        // on ours rather than a common-pool thread, since the session configures and swaps sockets on it.
        return CompletableFuture.supplyAsync(() -> builder.buildAsync(uri, socket), executor)
                .thenCompose(f -> f)
                .handleAsync((ws, error) -> {
                    if (error != null) {
                        throw error instanceof CompletionException ce ? ce : new CompletionException(error);
                    }
                    socket.attach(ws);
                    socket.keepAlive(timers, executor, keepAlive);
                    return ws;
                }, executor);
    }

    /**
     * One WebRTC connection: the leg's offer goes to the calls endpoint with the session configuration, the answer is
     * applied, then the sideband socket opens; done once the leg's media is connected too (bounded by the connect
     * timeout). A failure closes the leg; a leg lost later fails the socket it is bound to.
     */
    private CompletableFuture<WebSocket> dialLeg(AgentMedia media, int number, RealtimeSocket socket) {
        return CompletableFuture.supplyAsync(() -> media.newLeg(number), executor).thenCompose(leg -> {
            try {
                return offerLeg(leg, socket);
            } catch (RuntimeException e) { // e.g. a request the HTTP client refuses to build: the leg must not linger
                leg.close();
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    /** Offers, applies the answer, opens the sideband; closes the leg when any step fails. */
    private CompletableFuture<WebSocket> offerLeg(AgentMedia.Leg leg, RealtimeSocket socket) {
        socket.bind(leg);
        leg.lost().thenAccept(reason -> socket.fail(new AgentFailure(AgentFailure.Kind.TRANSIENT, "media_lost",
                true, AgentFailures.clip("agent media leg lost: " + reason), "")));
        return calls.create(leg.offerSdp(), sessionJson)
                .thenApply(created -> {
                    try {
                        leg.applyAnswer(created.answerSdp(), created.callId());
                    } catch (IllegalArgumentException e) {
                        throw new AgentConnectException("the agent's SDP answer cannot be used", new AgentFailure(
                                AgentFailure.Kind.PERMANENT, "agent_answer_unusable", true,
                                AgentFailures.clip(e.getMessage()), "the agent answered the offer with SDP "
                                + "wavoice cannot use (see the detail): check OPENAI_REALTIME_URL"), e);
                    }
                    return created.callId();
                })
                .thenCompose(agentCallId -> dialSocket(sideband(agentCallId), socket))
                // ICE and DTLS run from the answer on, beside the socket's handshake; a failure before either
                // ends the dial at once (thenCombine would wait for the leg that will never connect).
                .thenCompose(ws -> leg.connected().thenApply(connected -> ws))
                .orTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // On our executor: a timeout completes on the JVM's one delay thread, which closing must not hold.
                .whenCompleteAsync((ws, error) -> {
                    if (error != null) {
                        leg.close();
                    }
                }, executor);
    }

    public AgentConfig config() {
        return config;
    }

    URI endpoint() {
        return withParameter("model", config.model());
    }

    /** The sideband socket of an agent call made over WebRTC. */
    URI sideband(String agentCallId) {
        return withParameter("call_id", agentCallId);
    }

    private URI withParameter(String name, String value) {
        String base = config.url().toString();
        String sep = base.contains("?") ? "&" : "?";
        return URI.create(base + sep + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        timers.shutdownNow();
        http.shutdownNow();
        executor.shutdownNow();
    }
}
