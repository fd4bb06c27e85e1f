package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Realtime conversation, as long as the call lasts: the bridge keeps this object while the socket under it may
 * change. A socket lost mid-call to a transient failure is replaced with jittered backoff ({@link SessionPolicy});
 * a permanent one ({@link AgentFailures}: a refused key, no quota, an unknown model) ends the session at once, and so
 * does an outage longer than the policy's bound or a run of unknown failures. Before the service's
 * session limit a new socket is opened and configured first, then swapped in, so caller audio keeps flowing. Each
 * new socket gets the instructions plus the transcript so far, and the listener hears
 * {@link AgentEvent.Reconnected}. While no socket is in service caller audio is dropped and counted, never queued.
 *
 * <p>Threads: events are delivered on the receive thread of the socket in service, one at a time; a replaced
 * socket's late events are discarded. The bridge-facing methods never block on the network or on delivery, so they
 * may be called from inside the listener.
 */
public final class RealtimeSession implements AgentSession {
    private static final Logger log = LoggerFactory.getLogger(RealtimeSession.class);
    /** Tool outputs kept while no socket is in service, at most. */
    private static final int MAX_LATE_TOOL_RESULTS = 32;
    static final String CONTEXT_INTRO = "This phone call continues on a new connection. "
            + "Conversation so far, oldest first (the start may be left out):\n";
    static final String CONTEXT_OUTRO = "Continue from here; do not greet the caller again.";
    static final String RESUME_INSTRUCTIONS = "The connection was re-established while you were answering the "
            + "caller, who heard at most part of that answer. Give it again briefly, without greeting.";

    /** What the session saw and dropped, by reason: a stats dump explains a bad call. */
    public record Counters(long eventsReceived, long unknownEvents, long malformedEvents, long oversizedEvents,
                           long appendsSent, long appendsDropped, long listenerFailures,
                           long appendsDroppedWhileReconnecting, long reconnects, long rollovers) {
    }

    /** Opens a socket (the session's first or a replacement); completes once it is open. */
    @FunctionalInterface
    interface Dialer {
        CompletableFuture<?> dial(RealtimeSocket socket);
    }

    private final String callId;
    private final AgentConfig config;
    private final SessionPolicy policy;
    private final AgentListener listener;
    private final RealtimeClientEvents out;
    private final int maxEventChars;
    private final Dialer dialer;
    private final SessionTimers timers;
    private final AgentHealth health;
    private final Duration openTimeout;
    private final RateLimitWatch rateLimits;
    private final RealtimeSocket.Handler handler = new RealtimeSocket.Handler() {
        @Override
        public void onMessage(RealtimeSocket socket, String text) {
            received(socket, text);
        }

        @Override
        public void onOversized(RealtimeSocket socket) {
            oversizedEvents.increment();
        }

        @Override
        public void onLost(RealtimeSocket socket, AgentFailure why) {
            lost(socket, why);
        }
    };

    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes when the first socket is configured ({@code session.updated}); fails if it never is. */
    private final CompletableFuture<RealtimeSession> opened = new CompletableFuture<>();
    /**
     * Orders delivery across sockets, so {@link AgentEvent.Reconnected} precedes the new socket's events. Held
     * only by receive threads and the swap, never by a bridge-facing method: a bridge calling us under its own
     * lock while its listener waits for that lock cannot deadlock.
     */
    private final Object deliverLock = new Object();
    /** Guards the socket state below; held briefly and never while calling the listener. */
    private final Object lock = new Object();
    /** The socket in service; null while reconnecting and after close. */
    private volatile RealtimeSocket current;
    /** A replacement socket is being dialled (or waiting for its backoff): only one at a time. */
    private boolean replacing;
    /** Tries left for a failing agent; under the lock. */
    private final ReconnectBudget budget;
    /** When the socket in service was lost (0 when none was), and why. */
    private long lostAtNanos;
    private AgentFailure lostWhy;
    /** Ends the session when the agent stays unreachable longer than the policy allows. */
    private ScheduledFuture<?> outageDeadline;
    private final ConversationState conversation;
    private boolean greetDeferred;
    private final List<String> lateToolResults = new ArrayList<>();

    private final CallerAudioBatcher callerAudio;

    private final RealtimeInbound inbound;
    private final LongAdder oversizedEvents = new LongAdder(), appendsSent = new LongAdder(),
            listenerFailures = new LongAdder(), reconnects = new LongAdder(), rollovers = new LongAdder();

    RealtimeSession(String callId, AgentConfig config, SessionPolicy policy, AgentListener listener, ObjectMapper json,
                    int maxEventChars, Dialer dialer, ScheduledExecutorService timers, AgentHealth health,
                    Duration openTimeout, boolean pcmAudio) {
        this.callId = callId;
        this.config = config;
        this.policy = policy;
        this.listener = listener;
        this.out = new RealtimeClientEvents(json, pcmAudio);
        this.maxEventChars = maxEventChars;
        this.dialer = dialer;
        this.timers = new SessionTimers(timers);
        this.health = health;
        this.openTimeout = openTimeout;
        this.conversation = new ConversationState(policy.historyChars());
        this.budget = new ReconnectBudget(policy.maxReconnectAttempts());
        this.callerAudio = new CallerAudioBatcher(out, () -> current, closed::get);
        this.rateLimits = new RateLimitWatch(callId);
        this.inbound = new RealtimeInbound(callId, json);
    }

    /**
     * Opens the first socket and configures it before any audio is appended. Completes once the server has
     * accepted the configuration ({@code session.updated}), so a refused key or model is known while the call still
     * rings; fails with an {@link AgentConnectException} carrying the {@link AgentFailure} otherwise. The first
     * socket is not retried: a caller is better served by a quick decision than by a slow ring.
     */
    CompletableFuture<RealtimeSession> connect() {
        RealtimeSocket first = new RealtimeSocket(handler, maxEventChars, appendsSent);
        ScheduledFuture<?> timeout = timers.schedule(() -> openFailed(new AgentFailure(AgentFailure.Kind.TRANSIENT,
                "timeout", true, "not configured within " + openTimeout.toMillis() + " ms", "")), openTimeout);
        opened.whenComplete((v, e) -> SessionTimers.cancel(timeout));
        dial(first).whenComplete((v, error) -> {
            if (error != null) {
                openFailed(redacted(AgentFailures.fromConnectError(error)));
                return;
            }
            synchronized (lock) { // in service before the server can answer, so no early event is discarded
                if (closed.get()) {
                    first.close();
                    return;
                }
                current = first;
                scheduleAgeChecks();
            }
            first.send(out.sessionUpdate(config), false);
            recheck(first);
        });
        return opened;
    }

    /**
     * The first socket failed before it was configured: the open fails, no {@link AgentEvent.Closed} follows.
     * Like every failure past the point where it enters the session, {@code why} is redacted already.
     */
    private void openFailed(AgentFailure why) {
        if (opened.isDone() || !closed.compareAndSet(false, true)) {
            return;
        }
        health.failed(callId, why);
        RealtimeSocket s;
        synchronized (lock) {
            s = current;
            current = null;
            cancelAgeChecks();
        }
        if (s != null) {
            s.close();
        }
        opened.completeExceptionally(new AgentConnectException("could not open an agent session at " + config.url()
                + ": " + why.summary(), why, null));
    }

    @Override
    public void appendAudio(short[] pcm24k, int off, int len) {
        callerAudio.append(pcm24k, off, len);
    }

    @Override
    public void greet() {
        for (;;) {
            RealtimeSocket s;
            synchronized (lock) {
                s = current;
                if (s == null) { // between sockets: the next one greets (decided under the lock the swap takes)
                    greetDeferred = !closed.get();
                    return;
                }
            }
            if (s.send(out.responseCreate(config.greeting()), false)) {
                return;
            }
            synchronized (lock) {
                if (current == s) { // it just failed and its loss is being reported: the replacement greets
                    greetDeferred = true;
                    return;
                }
            }
        }
    }

    @Override
    public void say(String instructions) {
        RealtimeSocket s = current;
        if (s != null) {
            s.send(out.responseCreate(instructions), false);
        }
    }

    @Override
    public void callerKeys(String digits) {
        RealtimeSocket s = current;
        if (s != null && s.send(out.callerKeys(digits), false)) {
            s.send(out.responseCreate(null), false);
        }
    }

    @Override
    public void truncate(String itemId, long audioEndMs) {
        RealtimeSocket s, owner;
        synchronized (lock) {
            conversation.markInterrupted(itemId);
            s = current;
            owner = conversation.socketOf(itemId);
        }
        // An item of a replaced socket is unknown to the new session, which would answer with an error.
        if (s != null && (owner == null || owner == s)) {
            s.send(out.truncate(itemId, Math.max(0, audioEndMs)), false);
        }
    }

    @Override
    public void sendToolOutput(String toolCallId, String outputJson) {
        ConversationState.PendingToolCall call;
        synchronized (lock) {
            call = conversation.answered(toolCallId);
        }
        for (;;) {
            RealtimeSocket s;
            synchronized (lock) {
                s = current;
                if (s == null) {
                    deferToolResult(toolCallId, call, outputJson);
                    return;
                }
            }
            // The new session never saw a call id of a replaced socket; a function_call_output for it is rejected.
            String item = call == null || call.socket() == s ? out.toolOutput(toolCallId, outputJson)
                    : out.systemMessage(lateToolResult(toolCallId, call, outputJson));
            if (s.send(item, false)) {
                s.send(out.responseCreate(null), false);
                return;
            }
            synchronized (lock) {
                if (current == s) { // just failed, its loss is being reported: the replacement gets it
                    deferToolResult(toolCallId, call, outputJson);
                    return;
                }
            }
        }
    }

    /** Under the lock: kept for the next socket, which gets it as context (its call id means nothing there). */
    private void deferToolResult(String toolCallId, ConversationState.PendingToolCall call, String outputJson) {
        if (!closed.get() && lateToolResults.size() < MAX_LATE_TOOL_RESULTS) {
            lateToolResults.add(lateToolResult(toolCallId, call, outputJson));
        }
    }

    private static String lateToolResult(String toolCallId, ConversationState.PendingToolCall call,
                                         String outputJson) {
        return "Result of the function call " + (call == null ? toolCallId : call.name())
                + " you made before the connection was re-established: " + outputJson;
    }

    /** Whether a socket is in service now (false while reconnecting and after close). */
    public boolean connected() {
        return current != null;
    }

    public Counters counters() {
        return new Counters(inbound.received.sum(), inbound.unknown.sum(), inbound.malformed.sum(), oversizedEvents.sum(),
                appendsSent.sum(), callerAudio.dropped.sum(), listenerFailures.sum(), callerAudio.droppedWhileReconnecting.sum(),
                reconnects.sum(), rollovers.sum());
    }

    @Override
    public void close() {
        finish("closed by wavoice", null);
    }

    // --- receiving ---

    private void received(RealtimeSocket s, String text) {
        RealtimeInbound.Decoded decoded = inbound.decode(text);
        if (decoded == null) {
            return;
        }
        String type = decoded.type();
        List<AgentEvent> events = decoded.parsed().events();
        AgentFailure permanent = null;
        if (type.equals("error") || type.equals("response.done")) {
            events = events.stream().map(e -> e instanceof AgentEvent.Error err
                    ? new AgentEvent.Error(err.type(), err.code(), redact(err.message())) : e).toList();
        }
        for (AgentEvent e : events) {
            if (e instanceof AgentEvent.Error err) {
                boolean aboutConfig = RealtimeClientEvents.SESSION_UPDATE_EVENT_ID.equals(
                        decoded.json().path("error").path("event_id").asText(null));
                AgentFailure f = AgentFailures.fromError(err.type(), err.code(), err.message(), aboutConfig);
                s.noteError(f);
                permanent = f.permanent() ? f : permanent;
            }
        }
        if (type.equals("session.updated") && s == current) {
            log.info("agent session configured callId={} model={}", callId, config.model());
            health.configured();
            opened.complete(this);
        }
        synchronized (deliverLock) {
            if (s != current) {
                // A replaced socket's last words (its audio was dropped on the swap), or a new one not yet in use
                // (which recheck() fails if what it said was permanent).
                events.stream().filter(e -> e instanceof AgentEvent.Error).forEach(e ->
                        log.warn("agent error on a socket not in service callId={} error={}", callId, e));
                return;
            }
            if (type.equals("rate_limits.updated")) {
                rateLimits.update(decoded.json());
            }
            synchronized (lock) {
                conversation.observe(s, type, events);
            }
            for (AgentEvent e : events) {
                if (e instanceof AgentEvent.Error err) {
                    log.warn("agent error callId={} type={} code={} message={}", callId, err.type(), err.code(),
                            err.message());
                } else if (e instanceof AgentEvent.ToolCall call) {
                    log.info("agent function call callId={} tool={} toolCallId={}", callId, call.name(), call.callId());
                }
                deliver(e);
            }
        }
        if (permanent != null) {
            failed(permanent);
        } else if (type.equals("response.done")) {
            checkAge();
        }
    }

    /** A permanent failure (redacted): no reconnect; the open fails, or the listener hears {@link AgentEvent.Closed}. */
    private void failed(AgentFailure why) {
        if (!opened.isDone()) {
            openFailed(why);
            return;
        }
        if (!closed.get()) {
            health.failed(callId, why);
        }
        finish("agent failed: " + why.summary(), why);
    }

    private void deliver(AgentEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            listenerFailures.increment();
            log.warn("agent listener failed callId={} event={}", callId, event.getClass().getSimpleName(), e);
        }
    }

    // --- keeping the session alive: reconnect and rollover ---

    private void lost(RealtimeSocket s, AgentFailure failure) {
        AgentFailure why = redacted(failure);
        if (!opened.isDone()) {
            if (s == current) {
                openFailed(why);
            }
            return;
        }
        if (why.permanent()) {
            if (s == current) {
                failed(why);
            }
            return;
        }
        boolean dial;
        String giveUp;
        int n;
        synchronized (lock) {
            if (closed.get() || s != current) {
                return;
            }
            current = null;
            cancelAgeChecks();
            budget.socketLost(s.ageNanos());
            n = budget.attempts();
            lostAtNanos = System.nanoTime();
            lostWhy = why;
            giveUp = budget.giveUpAfter(why);
            dial = !replacing && giveUp == null; // a rollover already dialling becomes the reconnect
            replacing = true;
            if (giveUp == null) {
                long lostAt = lostAtNanos;
                outageDeadline = timers.schedule(() -> outageOver(lostAt), policy.maxReconnectTime());
            }
        }
        health.failed(callId, why);
        if (giveUp != null) {
            finish("agent unreachable: " + why.summary() + "; " + giveUp, why.givenUp(giveUp));
            return;
        }
        log.warn("agent socket lost callId={} reason=\"{}\" reconnecting=true", callId, why.summary());
        if (dial) {
            later(this::dialReplacement, policy.backoff(n));
        }
    }

    /** The caller has heard nothing from the agent for the policy's whole bound: end rather than keep them waiting. */
    private void outageOver(long lostAt) {
        AgentFailure why;
        synchronized (lock) {
            if (closed.get() || current != null || lostAtNanos != lostAt) {
                return;
            }
            why = lostWhy;
        }
        String giveUp = "unreachable for " + policy.maxReconnectTime().toMillis() + " ms";
        finish("agent unreachable: " + why.summary() + "; " + giveUp, why.givenUp(giveUp));
    }

    /** Rolls over when the session is old enough and quiet, or too old to wait any longer. */
    private void checkAge() {
        long ageSeconds;
        synchronized (lock) {
            RealtimeSocket s = current;
            if (closed.get() || s == null || replacing) {
                return;
            }
            long age = s.ageNanos();
            boolean due = age >= policy.forceRolloverAfter().toNanos()
                    || (age >= policy.rolloverAfter().toNanos() && conversation.quiet());
            if (!due) {
                return;
            }
            replacing = true;
            ageSeconds = TimeUnit.NANOSECONDS.toSeconds(age);
        }
        log.info("agent session rolling over callId={} ageSeconds={}", callId, ageSeconds);
        dialReplacement();
    }

    private void dialReplacement() {
        if (closed.get()) {
            return;
        }
        synchronized (lock) {
            budget.dialling();
        }
        RealtimeSocket next = new RealtimeSocket(handler, maxEventChars, appendsSent);
        dial(next).whenComplete((v, error) -> {
            if (error == null) {
                replaced(next);
            } else {
                dialFailed(error);
            }
        });
    }

    /** The dialer's future; a dialer that throws fails it instead. */
    private CompletableFuture<?> dial(RealtimeSocket socket) {
        try {
            return dialer.dial(socket);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void replaced(RealtimeSocket next) {
        String said;
        synchronized (lock) {
            said = conversation.transcript();
        }
        next.send(out.sessionUpdate(config, said.isEmpty() ? config.instructions()
                : config.instructions() + "\n\n" + CONTEXT_INTRO + said + CONTEXT_OUTRO), false);
        RealtimeSocket old;
        String reason;
        long silentMs;
        boolean resume, greet;
        List<String> late;
        synchronized (deliverLock) {
            synchronized (lock) {
                if (closed.get()) {
                    next.close();
                    return;
                }
                old = current;
                boolean wasLost = lostAtNanos != 0;
                reason = wasLost ? "dropped: " + lostWhy.summary() : "rollover";
                silentMs = wasLost ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAtNanos) : 0;
                (wasLost ? reconnects : rollovers).increment();
                if (!wasLost) {
                    budget.rolledOver();
                }
                resume = conversation.replacingCutAnAnswer();
                greet = greetDeferred;
                greetDeferred = false;
                late = List.copyOf(lateToolResults);
                lateToolResults.clear();
                lostAtNanos = 0;
                lostWhy = null;
                SessionTimers.cancel(outageDeadline);
                replacing = false;
                current = next;
                scheduleAgeChecks();
            }
            deliver(new AgentEvent.Reconnected(reason, silentMs));
        }
        if (old != null) {
            old.close();
        }
        late.forEach(text -> next.send(out.systemMessage(text), false));
        if (greet || (resume && said.isEmpty())) { // nothing said yet: the cut answer was the greeting
            next.send(out.responseCreate(config.greeting()), false);
        } else if (resume || !late.isEmpty()) {
            next.send(out.responseCreate(resume ? RESUME_INSTRUCTIONS : null), false);
        }
        log.info("agent session continues on a new socket callId={} reason={} silentMs={} appendsDroppedWhileReconnecting={}",
                callId, reason, silentMs, callerAudio.droppedWhileReconnecting.sum());
        recheck(next);
    }

    private void dialFailed(Throwable error) {
        AgentFailure why = redacted(AgentFailures.fromConnectError(error));
        if (why.permanent()) { // a key revoked mid-call: the next try would be refused the same way
            failed(why);
            return;
        }
        boolean rollover;
        String giveUp = null;
        AgentFailure lost;
        int n;
        Duration retryIn;
        synchronized (lock) {
            if (closed.get()) {
                return;
            }
            n = budget.attempts();
            rollover = current != null;
            lost = lostWhy;
            if (rollover) {
                replacing = false; // the old socket still serves; try again after a pause
            } else {
                giveUp = budget.giveUpAfter(why);
            }
            retryIn = policy.backoff(n);
        }
        health.failed(callId, why);
        log.warn("agent {} failed callId={} attempt={} error=\"{}\"", rollover ? "rollover" : "reconnect", callId, n,
                why.summary());
        if (giveUp != null) {
            finish("agent unreachable: " + lost.summary() + "; " + giveUp, why.givenUp(giveUp));
        } else {
            later(rollover ? this::checkAge : this::dialReplacement, retryIn);
        }
    }

    /**
     * A socket may be lost between opening and entering service (its loss was ignored then), or have said
     * something permanent meanwhile.
     */
    private void recheck(RealtimeSocket s) {
        AgentFailure why = s.lostWhy();
        if (why != null) {
            lost(s, why);
        } else if (s.lastError() != null && s.lastError().permanent()) {
            failed(s.lastError());
        }
    }

    private void scheduleAgeChecks() {
        timers.scheduleAgeChecks(this::checkAge, policy.rolloverAfter(), policy.forceRolloverAfter());
    }

    private void cancelAgeChecks() {
        timers.cancelAgeChecks();
    }

    private void later(Runnable task, Duration delay) {
        if (timers.schedule(task, delay) == null) {
            finish("agent connector closed", null);
        }
    }

    /** The server's words may quote what we sent; the key must never reach a log line or a call row. */
    private String redact(String text) {
        return text != null && config.apiKey().isPresent() ? text.replace(config.apiKey().reveal(), "<redacted>") : text;
    }

    private AgentFailure redacted(AgentFailure f) {
        return f.withDetail(redact(f.detail()));
    }

    /**
     * Ends the session once: reports {@link AgentEvent.Closed} (with the failure that ended it, or null when wavoice
     * closed it), then closes the socket in service. Before the session was configured, the open fails instead.
     */
    private void finish(String reason, AgentFailure failure) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RealtimeSocket s;
        synchronized (lock) {
            s = current;
            current = null;
            cancelAgeChecks();
            SessionTimers.cancel(outageDeadline);
            conversation.clear();
            lateToolResults.clear();
        }
        Counters c = counters();
        log.info("agent session closed callId={} reason=\"{}\" events={} unknown={} malformed={} oversized={} "
                        + "appendsSent={} appendsDropped={} reconnects={} rollovers={}", callId, reason,
                c.eventsReceived(), c.unknownEvents(), c.malformedEvents(), c.oversizedEvents(), c.appendsSent(),
                c.appendsDropped(), c.reconnects(), c.rollovers());
        if (opened.isDone()) {
            deliver(new AgentEvent.Closed(reason, failure));
        } else {
            opened.completeExceptionally(new AgentConnectException("agent session ended before it was configured: "
                    + reason, failure, null));
        }
        if (s != null) {
            s.close();
        }
    }
}
