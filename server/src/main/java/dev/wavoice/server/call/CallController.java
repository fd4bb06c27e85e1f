package dev.wavoice.server.call;

import dev.wavoice.server.agent.CallAgentSettings;
import dev.wavoice.server.agent.CallFacts;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.whatsapp.CallWebhookListener;
import dev.wavoice.server.whatsapp.CallerIdentity;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.GraphApiException;
import dev.wavoice.server.whatsapp.WebhookPayload;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Call control: turns call webhooks into Graph actions and state changes. Runs on virtual threads (one per
 * webhook); per-call consistency comes from each {@link Call}'s lock, which is never held across a Graph request.
 *
 * <p>A user-initiated connect goes: register (capacity, duplicates) → media answers the offer at once →
 * {@code pre_accept} with that answer → wait for ICE+DTLS (bounded) → {@code accept} → connected. wavoice sends
 * {@code reject}/{@code terminate} only when it is the side ending the call.
 */
public final class CallController implements CallWebhookListener {
    private static final Logger log = LoggerFactory.getLogger(CallController.class);

    /** Timeouts and limits the controller enforces. */
    public record Limits(Duration ringTimeout, Duration mediaConnectTimeout, Duration maxCallDuration) {}

    private final CallRegistry registry;
    private final CallMedia media;
    private final GraphApiClient graph;
    private final CallLog callLog;
    private final MeterRegistry metrics;
    private final ScheduledExecutorService timers;
    private final Executor work;
    private final Limits limits;
    private final String defaultPhoneNumberId;
    private final Function<String, String> agentNames;
    private final CallAgentSettings agentSettings;
    private final String instanceId;
    private final BooleanSupplier draining;
    private final OutboundCalls outbound;

    /**
     * @param permissions   asked before a business-initiated call is dialled
     * @param agentNames    the name of the agent that answers calls on a WhatsApp phone number id
     * @param agentSettings where a call's facts and a placed call's own agent settings wait for its agent session
     */
    public CallController(CallRegistry registry, CallMedia media, GraphApiClient graph, CallLog callLog,
            MeterRegistry metrics, ScheduledExecutorService timers, Executor work, Limits limits,
            String defaultPhoneNumberId, Function<String, String> agentNames, String instanceId, BooleanSupplier draining,
            CallPermissionGate permissions, CallAgentSettings agentSettings, OutboundCalls.Settings dialling) {
        this.registry = registry;
        this.media = media;
        this.graph = graph;
        this.callLog = callLog;
        this.metrics = metrics;
        this.timers = timers;
        this.work = work;
        this.limits = limits;
        this.defaultPhoneNumberId = defaultPhoneNumberId;
        this.agentNames = agentNames;
        this.agentSettings = agentSettings;
        this.instanceId = instanceId;
        this.draining = draining;
        this.outbound = new OutboundCalls(this, registry, media, graph, callLog, metrics, work, permissions,
                agentSettings, dialling, defaultPhoneNumberId, agentNames, instanceId);
    }

    /** Calls the business places. */
    public OutboundCalls outbound() {
        return outbound;
    }

    /** A {@code calls[]} entry with {@code event=connect}. */
    @Override
    public void onConnect(WebhookPayload.CallEvent event, WebhookPayload.CallsValue value) {
        try (var ignored = MDC.putCloseable("callId", event.id())) {
            if ("BUSINESS_INITIATED".equalsIgnoreCase(event.direction())) {
                outbound.onAnswer(event);
                return;
            }
            if (!"USER_INITIATED".equalsIgnoreCase(event.direction())) {
                log.warn("call.connect_ignored direction={} reason=\"unknown direction\"", event.direction());
                return;
            }
            String phoneNumberId = phoneNumberId(value);
            String businessNumber = value.metadata() != null ? value.metadata().displayPhoneNumber() : event.to();
            Call call = new Call(event.id(), Call.Direction.USER_INITIATED, CallerIdentity.ofCaller(event, value),
                    businessNumber, phoneNumberId, agentNames.apply(phoneNumberId), instanceId);
            if (draining.getAsBoolean()) { // routed here only because no peer had room
                refuse(call, "instance draining and no peer has room");
                return;
            }
            switch (registry.register(call)) {
                case DUPLICATE -> log.info("call.connect_ignored reason=\"call id already live\"");
                case OVER_CAPACITY -> refuse(call, "over WAVOICE_MAX_CALLS=" + registry.maxCalls()
                        + " and no peer has room");
                case ADMITTED -> answer(call, event);
            }
        }
    }

    /** A call nobody here or among the peers can take: logged, then rejected through Graph. */
    private void refuse(Call call, String detail) {
        callLog.saveCall(call.snapshot());
        callLog.event(call.callId(), "webhook.connect", "caller=" + call.caller().handle());
        end(call, EndReason.REJECTED_CAPACITY, detail, null);
    }

    private void answer(Call call, WebhookPayload.CallEvent event) {
        log.info("call.ringing caller={} name=\"{}\"", call.caller().handle(), call.caller().profileName());
        callLog.saveCall(call.snapshot());
        callLog.event(call.callId(), "webhook.connect", "caller=" + call.caller().handle());
        metrics.counter("wavoice.calls.started", "direction", "user_initiated").increment();
        schedule(call, limits.ringTimeout(), () -> ringTimeout(call));
        // The webhook's 200 waits for the rows above, not for the seconds answering takes.
        work.execute(() -> {
            try (var ignored = MDC.putCloseable("callId", call.callId())) {
                answerMedia(call, event);
            }
        });
    }

    /** Opens the media, pre-accepts, waits for ICE/DTLS and the agent, accepts: the slow part of answering. */
    private void answerMedia(Call call, WebhookPayload.CallEvent event) {
        String offer = event.session() == null ? null : event.session().sdp();
        if (offer == null || event.session().sdpType() == null
                || !"offer".equalsIgnoreCase(event.session().sdpType())) {
            end(call, EndReason.REJECTED_BAD_OFFER, "connect without an SDP offer", null);
            return;
        }
        agentSettings.describe(call.callId(), new CallFacts("inbound", call.caller().handle(), call.businessNumber(),
                call.phoneNumberId(), call.callId()));
        CallMedia.MediaSession session;
        try {
            session = media.answer(call.callId(), offer);
        } catch (MediaException e) {
            end(call, e.reason(), e.getMessage(), null);
            return;
        }
        call.lock().lock();
        try {
            if (call.isEnded()) {
                session.close();
                return;
            }
            call.attachMedia(session);
        } finally {
            call.lock().unlock();
        }
        callLog.event(call.callId(), "media.answered", null);
        // From here the media side may end the call by itself: media failure, the caller's DTLS close, the agent.
        session.ended().thenAccept(e -> work.execute(() -> end(call, e.reason(), e.detail(), null)));

        if (hasEnded(call)) {
            return; // the media side gave up already (an agent that cannot be reached, in reject mode)
        }
        try {
            graph.preAccept(call.phoneNumberId(), call.callId(), session.answerSdp());
        } catch (GraphApiException e) {
            end(call, EndReason.GRAPH_ERROR, e.getMessage(), null);
            return;
        }
        if (!transition(call, CallState.PRE_ACCEPTED, "graph.pre_accept")) {
            return;
        }

        if (!awaitStep(call, session.connected(), EndReason.MEDIA_FAILED, "ICE/DTLS not connected")) {
            return;
        }
        callLog.event(call.callId(), "media.connected", null);

        // The agent opened while the call rang; a refused key or model is known by now and rejects the call.
        if (!awaitStep(call, session.ready(), EndReason.AGENT_FAILED, "agent not ready")) {
            return;
        }
        if (hasEnded(call)) {
            return; // the caller hung up, or the media side ended the call, while we waited
        }

        try {
            graph.accept(call.phoneNumberId(), call.callId(), session.answerSdp());
        } catch (GraphApiException e) {
            end(call, EndReason.GRAPH_ERROR, e.getMessage(), null);
            return;
        }
        if (!transition(call, CallState.CONNECTED, "graph.accept")) {
            return;
        }
        log.info("call.connected setupMs={}", call.elapsedMillis());
        scheduleMaxDuration(call);
        session.callConnected();
    }

    void scheduleMaxDuration(Call call) {
        schedule(call, limits.maxCallDuration(), () -> end(call, EndReason.MAX_DURATION,
                "maximum call duration " + limits.maxCallDuration() + " reached", null));
    }

    /**
     * Waits, bounded by the media connect timeout, for one step of answering; when it fails or times out the call
     * ends with {@code reason} (the step's own message, or {@code what} and the bound) and false is returned.
     */
    boolean awaitStep(Call call, CompletableFuture<Void> step, EndReason reason, String what) {
        try {
            step.get(limits.mediaConnectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            end(call, reason, what + " within " + limits.mediaConnectTimeout(), null);
        } catch (ExecutionException e) {
            end(call, reason, String.valueOf(e.getCause().getMessage()), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(call, EndReason.SHUTDOWN, "interrupted while answering: " + what, null);
        }
        return false;
    }

    /** A {@code calls[]} entry with {@code event=terminate}: the call is over on WhatsApp's side. */
    @Override
    public void onTerminate(WebhookPayload.CallEvent event) {
        try (var ignored = MDC.putCloseable("callId", event.id())) {
            var live = registry.find(event.id());
            if (live.isEmpty()) {
                log.info("call.terminate_ignored reason=\"unknown or already ended call\" status={}", event.status());
                return;
            }
            String status = event.status() == null ? "" : event.status().toUpperCase(Locale.ROOT);
            EndReason reason = switch (status) {
                case "FAILED" -> EndReason.CALL_FAILED;
                case "REJECTED" -> EndReason.REJECTED_REMOTE;
                default -> EndReason.CALLER_HANGUP;
            };
            callLog.event(live.get().callId(), "webhook.terminate", "status=" + event.status());
            end(live.get(), reason, "terminate webhook status=" + event.status(), event.duration());
        }
    }

    /** A {@code statuses[]} entry of type call: progress of a call, logged on the call when it is ours. */
    @Override
    public void onStatus(WebhookPayload.CallStatus status) {
        try (var ignored = MDC.putCloseable("callId", status.id())) {
            var live = registry.find(status.id());
            if (live.isPresent() && live.get().direction() == Call.Direction.BUSINESS_INITIATED) {
                log.info("call.status status={}", status.status());
                outbound.onStatus(live.get(), status);
            } else if (live.isPresent()) {
                callLog.event(status.id(), "webhook.status", status.status());
                log.info("call.status status={}", status.status());
            } else {
                log.debug("call.status_ignored status={} reason=\"not a live call\"", status.status());
            }
        }
    }

    /**
     * Asks every live call to end politely (the service is stopping).
     *
     * @return how many will end by themselves within seconds (an agent saying goodbye)
     */
    public int wrapUpAll() {
        int ending = 0;
        for (Call call : registry.live()) {
            CallMedia.MediaSession media;
            call.lock().lock();
            try {
                media = call.media();
            } finally {
                call.lock().unlock();
            }
            if (media != null && media.wrapUp()) {
                ending++;
            }
        }
        return ending;
    }

    /** Ends every live call (service shutdown), telling Graph for each. */
    public void endAll(EndReason reason, String detail) {
        for (Call call : registry.live()) {
            end(call, reason, detail, null);
        }
    }

    /** A per-call timer on the shared timer thread; the work itself runs on a virtual thread. */
    void schedule(Call call, Duration delay, Runnable task) {
        call.lock().lock();
        try {
            call.addTimer(timers.schedule(() -> work.execute(task), delay.toMillis(), TimeUnit.MILLISECONDS));
        } finally {
            call.lock().unlock();
        }
    }

    private void ringTimeout(Call call) {
        if (call.state() != CallState.CONNECTED) {
            end(call, EndReason.RING_TIMEOUT, "not connected within " + limits.ringTimeout(), null);
        }
    }

    static boolean hasEnded(Call call) {
        call.lock().lock();
        try {
            return call.isEnded();
        } finally {
            call.lock().unlock();
        }
    }

    boolean transition(Call call, CallState next, String eventType) {
        return transition(call, next, eventType, null);
    }

    /** Moves the call on, saves its row and logs {@code eventType}; false (nothing logged) for a backward move. */
    boolean transition(Call call, CallState next, String eventType, String detail) {
        call.lock().lock();
        try {
            if (!call.moveTo(next)) {
                return false;
            }
            callLog.saveCall(call.snapshot());
        } finally {
            call.lock().unlock();
        }
        callLog.event(call.callId(), eventType, detail);
        return true;
    }

    /** Ends a call exactly once: Graph told when we hang up, media closed, row and metrics updated. */
    public void end(Call call, EndReason reason, String detail, Long reportedDurationSeconds) {
        CallState before;
        CallMedia.MediaSession session;
        call.lock().lock();
        try {
            before = call.state();
            if (!call.end(reason, detail, reportedDurationSeconds)) {
                return;
            }
            session = call.media();
        } finally {
            call.lock().unlock();
        }
        try (var ignored = MDC.putCloseable("callId", call.callId())) {
            // Media first: Graph may take its whole retry budget (attempts x timeout) to answer or fail, and the
            // caller's audio and the agent must not run on, nor be billed, while it does.
            if (session != null) {
                session.close();
            }
            agentSettings.remove(call.callId());
            if (reason.endedByUs()) {
                tellGraph(call, before == CallState.CONNECTED);
            }
            registry.remove(call);
            if (call.direction() == Call.Direction.BUSINESS_INITIATED) {
                outbound.ended(call);
            }
            // The event goes first: the writer applies in order, so a reader that sees the ended row sees it too.
            callLog.event(call.callId(), "call.ended", reason.wireName() + (detail == null ? "" : ": " + detail));
            callLog.saveCall(call.snapshot());
            metrics.counter("wavoice.calls", "outcome", reason.wireName()).increment();
            log.info("call.ended reason={} detail=\"{}\" state_before={} durationMs={}", reason.wireName(), detail,
                    before, call.snapshot().durationMs());
        }
    }

    /**
     * Ends a call whose instance died (this instance won the claim on it): Graph is told as that instance would have,
     * and the row ends {@code instance_lost}, or {@code server_restart} when the dead instance was this one's
     * predecessor (killed, then restarted under the same id). The call's media died with it, so nothing else is left.
     */
    public void endLostCall(CallRecord row) {
        try (var ignored = MDC.putCloseable("callId", row.callId())) {
            boolean restarted = instanceId.equals(row.ownerInstance());
            EndReason reason = restarted ? EndReason.SERVER_RESTART : EndReason.INSTANCE_LOST;
            String told = restarted ? "after a restart" : "for lost instance " + row.ownerInstance();
            if (!Call.Direction.BUSINESS_INITIATED.name().equals(row.direction())) {
                boolean wasConnected = CallState.CONNECTED.name().equals(row.state());
                tellGraph(row.phoneNumberId(), row.callId(), row.callId(), wasConnected, told);
            } else if (row.waCallId() != null) { // dialled: hang up; not dialled yet: WhatsApp knows nothing of it
                tellGraph(row.phoneNumberId(), row.callId(), row.waCallId(), true, told);
            }
            Instant now = Instant.now();
            String detail = restarted ? "this instance stopped with the call up and was restarted"
                    : "instance " + row.ownerInstance() + " stopped answering; ended by " + instanceId;
            callLog.event(row.callId(), "call.ended", reason.wireName() + ": " + detail);
            callLog.saveCall(row.ended(CallState.ENDED.name(), now, reason.wireName(), detail,
                    row.connectedAt() == null ? 0L : Duration.between(row.connectedAt(), now).toMillis()));
            metrics.counter("wavoice.calls", "outcome", reason.wireName()).increment();
            log.info("call.ended reason={} detail=\"{}\" state_before={}", reason.wireName(), detail, row.state());
        }
    }

    /** A business-initiated call that ended while its {@code connect} was in flight: WhatsApp rings it, so hang up. */
    void hangUpDialled(Call call) {
        tellGraph(call, true);
    }

    /**
     * A call the user placed is rejected while it rings and terminated once accepted; one the business placed is
     * terminated once dialled (WhatsApp's reject is for incoming calls), and needs nothing before.
     */
    private void tellGraph(Call call, boolean wasConnected) {
        String graphCallId = call.graphCallId();
        if (graphCallId != null) {
            boolean placedByUs = call.direction() == Call.Direction.BUSINESS_INITIATED;
            tellGraph(call.phoneNumberId(), call.callId(), graphCallId, placedByUs || wasConnected, null);
        }
    }

    /**
     * {@code terminate} for a connected call, {@code reject} for one still ringing, by the id Graph knows the call by;
     * a failure is logged, not thrown.
     */
    private void tellGraph(String phoneNumberId, String callId, String graphCallId, boolean wasConnected,
            String eventDetail) {
        String action = wasConnected ? "terminate" : "reject";
        try {
            if (wasConnected) {
                graph.terminate(phoneNumberId, graphCallId);
            } else {
                graph.reject(phoneNumberId, graphCallId);
            }
            callLog.event(callId, "graph." + action, eventDetail);
        } catch (GraphApiException e) {
            log.warn("call.graph_{}_failed error=\"{}\"", action, e.getMessage());
            callLog.event(callId, "graph." + action + ".failed", e.getMessage());
        }
    }

    private String phoneNumberId(WebhookPayload.CallsValue value) {
        if (value.metadata() != null && value.metadata().phoneNumberId() != null
                && !value.metadata().phoneNumberId().isBlank()) {
            return value.metadata().phoneNumberId();
        }
        return defaultPhoneNumberId;
    }
}
