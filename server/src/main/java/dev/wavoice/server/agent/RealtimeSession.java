package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Realtime conversation, as long as the call lasts: the bridge keeps this object while the socket under it may
 * change. A socket lost mid-call is replaced with jittered backoff ({@link SessionPolicy}); before the service's
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
    /** 20 ms and 40 ms at 24 kHz: appends stay small so the server's VAD reacts quickly. */
    static final int MIN_BATCH = 480, MAX_BATCH = 960;
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
    private final ScheduledExecutorService timers;
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
        public void onLost(RealtimeSocket socket, String reason) {
            lost(socket, reason);
        }
    };

    private final AtomicBoolean closed = new AtomicBoolean();
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
    /** Dials since the last socket that proved stable; bounds reconnecting to a server that keeps failing. */
    private int attempts;
    /** When the socket in service was lost (0 when none was), and why. */
    private long lostAtNanos;
    private String lostReason;
    private final ConversationState conversation;
    private boolean greetDeferred;
    private final List<String> lateToolResults = new ArrayList<>();
    private final List<ScheduledFuture<?>> ageChecks = new ArrayList<>();

    private final short[] batch = new short[MAX_BATCH];
    private int batched;

    private final RealtimeInbound inbound;
    private final LongAdder oversizedEvents = new LongAdder(), appendsSent = new LongAdder(),
            appendsDropped = new LongAdder(), listenerFailures = new LongAdder(),
            appendsDroppedOffline = new LongAdder(), reconnects = new LongAdder(), rollovers = new LongAdder();

    RealtimeSession(String callId, AgentConfig config, SessionPolicy policy, AgentListener listener, ObjectMapper json,
                    int maxEventChars, Dialer dialer, ScheduledExecutorService timers) {
        this.callId = callId;
        this.config = config;
        this.policy = policy;
        this.listener = listener;
        this.out = new RealtimeClientEvents(json);
        this.maxEventChars = maxEventChars;
        this.dialer = dialer;
        this.timers = timers;
        this.conversation = new ConversationState(policy.historyChars());
        this.rateLimits = new RateLimitWatch(callId);
        this.inbound = new RealtimeInbound(callId, json);
    }

    /** Opens the first socket and configures it before any audio is appended. */
    CompletableFuture<RealtimeSession> connect() {
        RealtimeSocket first = new RealtimeSocket(handler, maxEventChars, appendsSent);
        return dialer.dial(first).thenApply(v -> {
            synchronized (lock) { // in service before the server can answer, so no early event is discarded
                current = first;
                scheduleAgeChecks();
            }
            first.send(out.sessionUpdate(config), false);
            recheck(first);
            return this;
        });
    }

    @Override
    public void appendAudio(short[] pcm24k, int off, int len) {
        synchronized (batch) {
            while (len > 0) {
                int n = Math.min(len, MAX_BATCH - batched);
                System.arraycopy(pcm24k, off, batch, batched, n);
                batched += n;
                off += n;
                len -= n;
                if (batched == MAX_BATCH) {
                    flushBatch();
                }
            }
            if (batched >= MIN_BATCH) {
                flushBatch();
            }
        }
    }

    private void flushBatch() {
        RealtimeSocket s = current;
        if (s == null) {
            appendsDropped.increment();
            if (!closed.get()) {
                appendsDroppedOffline.increment();
            }
        } else if (!s.hasRoomForAppend()) {
            appendsDropped.increment();
        } else {
            String append = out.append(batch, 0, batched);
            if (!s.send(append, true)) {
                // Swapped out between the read and the send (a rollover): the new socket takes it.
                RealtimeSocket now = current;
                if (now == null || now == s || !now.send(append, true)) {
                    appendsDropped.increment();
                }
            }
        }
        batched = 0;
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
                appendsSent.sum(), appendsDropped.sum(), listenerFailures.sum(), appendsDroppedOffline.sum(),
                reconnects.sum(), rollovers.sum());
    }

    @Override
    public void close() {
        finish("closed by wavoice");
    }

    // --- receiving ---

    private void received(RealtimeSocket s, String text) {
        RealtimeInbound.Decoded decoded = inbound.decode(text);
        if (decoded == null) {
            return;
        }
        String type = decoded.type();
        RealtimeServerEvents.Parsed parsed = decoded.parsed();
        if (type.equals("session.updated")) {
            log.info("agent session configured callId={} model={}", callId, config.model());
        }
        synchronized (deliverLock) {
            if (s != current) {
                // A replaced socket's last words (its audio was dropped on the swap), or a new one not yet in use.
                parsed.events().stream().filter(e -> e instanceof AgentEvent.Error).forEach(e ->
                        log.warn("agent error on a socket not in service callId={} error={}", callId, e));
                return;
            }
            if (type.equals("rate_limits.updated")) {
                rateLimits.update(decoded.json());
            }
            synchronized (lock) {
                conversation.observe(s, type, parsed.events());
            }
            for (AgentEvent e : parsed.events()) {
                if (e instanceof AgentEvent.Error err) {
                    log.warn("agent error callId={} type={} code={} message={}", callId, err.type(), err.code(),
                            err.message());
                } else if (e instanceof AgentEvent.ToolCall call) {
                    log.info("agent function call callId={} tool={} toolCallId={}", callId, call.name(), call.callId());
                }
                deliver(e);
            }
        }
        if (type.equals("response.done")) {
            checkAge();
        }
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

    private void lost(RealtimeSocket s, String reason) {
        boolean dial, giveUp;
        int n;
        synchronized (lock) {
            if (closed.get() || s != current) {
                return;
            }
            current = null;
            cancelAgeChecks();
            if (s.ageNanos() >= SessionPolicy.STABLE_AFTER.toNanos()) {
                attempts = 0;
            }
            n = attempts;
            lostAtNanos = System.nanoTime();
            lostReason = reason;
            giveUp = attempts >= policy.maxReconnectAttempts();
            dial = !replacing && !giveUp; // a rollover already dialling becomes the reconnect
            replacing = true;
        }
        if (giveUp) {
            finish("agent unreachable: " + reason + "; gave up after " + n + " reconnect attempts");
            return;
        }
        log.warn("agent socket lost callId={} reason={} reconnecting=true", callId, reason);
        if (dial) {
            later(this::dialReplacement, policy.backoff(n));
        }
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
            attempts++;
        }
        RealtimeSocket next = new RealtimeSocket(handler, maxEventChars, appendsSent);
        CompletableFuture<?> dialed;
        try {
            dialed = dialer.dial(next);
        } catch (RuntimeException e) {
            dialed = CompletableFuture.failedFuture(e);
        }
        dialed.whenComplete((v, error) -> {
            if (error == null) {
                replaced(next);
            } else {
                dialFailed(error);
            }
        });
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
                reason = wasLost ? "dropped: " + lostReason : "rollover";
                silentMs = wasLost ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAtNanos) : 0;
                (wasLost ? reconnects : rollovers).increment();
                if (!wasLost) {
                    attempts = 0;
                }
                resume = conversation.replacingCutAnAnswer();
                greet = greetDeferred;
                greetDeferred = false;
                late = List.copyOf(lateToolResults);
                lateToolResults.clear();
                lostAtNanos = 0;
                lostReason = null;
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
                callId, reason, silentMs, appendsDroppedOffline.sum());
        recheck(next);
    }

    private void dialFailed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Throwable root = cause.getCause() != null ? cause.getCause() : cause;
        String why = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : " " + root.getMessage());
        boolean rollover, giveUp = false;
        String reason;
        int n;
        Duration retryIn;
        synchronized (lock) {
            if (closed.get()) {
                return;
            }
            n = attempts;
            rollover = current != null;
            reason = lostReason;
            if (rollover) {
                replacing = false; // the old socket still serves; try again after a pause
            } else {
                long outageNanos = System.nanoTime() - lostAtNanos;
                giveUp = n >= policy.maxReconnectAttempts() || outageNanos >= policy.maxReconnectTime().toNanos();
            }
            retryIn = policy.backoff(n);
        }
        log.warn("agent {} failed callId={} attempt={} error={}", rollover ? "rollover" : "reconnect", callId, n, why);
        if (giveUp) {
            finish("agent unreachable: " + reason + "; gave up after " + n + " reconnect attempts");
        } else {
            later(rollover ? this::checkAge : this::dialReplacement, retryIn);
        }
    }

    /** A socket may be lost between opening and entering service; its loss was ignored then. */
    private void recheck(RealtimeSocket s) {
        String reason = s.lostReason();
        if (reason != null) {
            lost(s, reason);
        }
    }

    private void scheduleAgeChecks() {
        cancelAgeChecks();
        try {
            ageChecks.add(timers.schedule(this::checkAge, policy.rolloverAfter().toNanos(), TimeUnit.NANOSECONDS));
            ageChecks.add(timers.schedule(this::checkAge, policy.forceRolloverAfter().toNanos(), TimeUnit.NANOSECONDS));
        } catch (RejectedExecutionException e) {
            log.debug("agent timers stopped callId={}", callId);
        }
    }

    private void cancelAgeChecks() {
        ageChecks.forEach(f -> f.cancel(false));
        ageChecks.clear();
    }

    private void later(Runnable task, Duration delay) {
        try {
            timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            finish("agent connector closed");
        }
    }

    /** Ends the session once: reports {@link AgentEvent.Closed}, then closes the socket in service. */
    private void finish(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RealtimeSocket s;
        synchronized (lock) {
            s = current;
            current = null;
            cancelAgeChecks();
            conversation.clear();
            lateToolResults.clear();
        }
        Counters c = counters();
        log.info("agent session closed callId={} reason={} events={} unknown={} malformed={} oversized={} "
                        + "appendsSent={} appendsDropped={} reconnects={} rollovers={}", callId, reason,
                c.eventsReceived(), c.unknownEvents(), c.malformedEvents(), c.oversizedEvents(), c.appendsSent(),
                c.appendsDropped(), c.reconnects(), c.rollovers());
        deliver(new AgentEvent.Closed(reason));
        if (s != null) {
            s.close();
        }
    }
}
