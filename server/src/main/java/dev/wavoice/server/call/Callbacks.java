package dev.wavoice.server.call;

import dev.wavoice.server.agent.AgentOverrides;
import dev.wavoice.server.agent.CallbackScheduler;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallbackStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Call backs the agents promise ({@code schedule_callback}): recorded in the database with the caller and the reason,
 * then, when due, claimed by one instance and dialled as a business-initiated call whose agent is told why it calls.
 * Kept in the database so that a promise outlives a restart of the instance that made it.
 */
public final class Callbacks implements CallbackScheduler, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);
    /** How often due call backs are looked for: a call back is at most this late. */
    static final Duration POLL = Duration.ofSeconds(1);

    private final CallRegistry registry;
    private final CallbackStore store;
    private final OutboundCalls outbound;
    private final CallLog callLog;
    private final MeterRegistry metrics;
    private final Executor work;
    private final Clock clock;
    private final String instanceId;
    private volatile ScheduledFuture<?> poller;

    public Callbacks(CallRegistry registry, CallbackStore store, OutboundCalls outbound, CallLog callLog,
            MeterRegistry metrics, Executor work, Clock clock, String instanceId) {
        this.registry = registry;
        this.store = store;
        this.outbound = outbound;
        this.callLog = callLog;
        this.metrics = metrics;
        this.work = work;
        this.clock = clock;
        this.instanceId = instanceId;
    }

    /** Starts looking for due call backs on {@code timers}; the dialling runs on the work executor. */
    public void start(ScheduledExecutorService timers) {
        poller = timers.scheduleWithFixedDelay(() -> work.execute(this::dialDue), POLL.toMillis(), POLL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public String schedule(String callId, Duration after, String reason) {
        var live = registry.find(callId);
        if (live.isEmpty()) {
            return "{\"error\":\"the call is not live here\"}";
        }
        Call call = live.get();
        String user = call.caller().handle();
        if (user == null || call.phoneNumberId() == null) {
            return "{\"error\":\"the caller cannot be called back: no phone number or user id\"}";
        }
        Instant now = clock.instant();
        Instant due = now.plus(after);
        String id = UUID.randomUUID().toString();
        try {
            store.insert(new CallbackStore.Callback(id, call.callId(), call.phoneNumberId(), user, reason, now, due,
                    "pending", null, null, null));
        } catch (SQLException e) {
            log.warn("callback.not_recorded callId={} error=\"{}\"", callId, e.getMessage());
            return "{\"error\":\"the call back could not be recorded; do not promise it\"}";
        }
        metrics.counter("wavoice.callbacks", "outcome", "scheduled").increment();
        callLog.event(call.callId(), "callback.scheduled", "id=" + id + " due=" + due);
        log.info("callback.scheduled callId={} id={} dueInS={}", callId, id, after.toSeconds());
        return "{\"scheduled\":true,\"due_at\":\"" + due + "\",\"callback_id\":\"" + id + "\"}";
    }

    /** Claims and dials what is due; a claim lost to another instance is that instance's to dial. */
    void dialDue() {
        try {
            for (CallbackStore.Callback c : store.due(clock.instant(), 20)) {
                if (store.claim(c.callbackId(), instanceId)) {
                    dial(c);
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("callback.poll_failed error=\"{}\"", e.toString());
        }
    }

    private void dial(CallbackStore.Callback c) {
        try (var ignored = MDC.putCloseable("callId", c.originCallId())) {
            String instructions = "You are calling back a customer who asked to be called back. "
                    + (c.reason() == null || c.reason().isBlank() ? "" : "It is about: " + c.reason() + ". ")
                    + "Greet them, say you are calling back as promised, and help them.";
            OutboundCalls.DialOutcome outcome = outbound.dial(new OutboundCalls.DialRequest(c.user(), c.phoneNumberId(),
                    new AgentOverrides(instructions, null, null), "callback:" + c.originCallId(), false, false));
            String state;
            String placed = null;
            String detail;
            switch (outcome) {
                case OutboundCalls.DialOutcome.Dialled d -> {
                    state = "dialled";
                    placed = d.callId();
                    detail = "wa_call_id=" + d.waCallId();
                }
                case OutboundCalls.DialOutcome.Refused r -> {
                    state = "failed";
                    placed = r.callId();
                    detail = r.error();
                }
                case OutboundCalls.DialOutcome.PermissionRequested p -> {
                    state = "failed";
                    detail = "no call permission";
                }
            }
            store.finish(c.callbackId(), state, placed, detail);
            metrics.counter("wavoice.callbacks", "outcome", state).increment();
            log.info("callback.{} id={} placedCallId={} detail=\"{}\"", state, c.callbackId(), placed, detail);
        } catch (SQLException e) {
            log.warn("callback.finish_not_recorded id={} error=\"{}\"", c.callbackId(), e.getMessage());
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> p = poller;
        if (p != null) {
            p.cancel(false);
        }
    }
}
