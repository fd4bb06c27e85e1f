package dev.wavoice.server.call;

import dev.wavoice.server.agent.AgentOverrides;
import dev.wavoice.server.agent.CallAgentSettings;
import dev.wavoice.server.agent.CallFacts;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.whatsapp.CallerIdentity;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.GraphApiException;
import dev.wavoice.server.whatsapp.WebhookPayload;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Calls the business places. A call is asked for ({@link #dial}), checked against the user's call permission, given
 * an offer by the media at once, and dialled with Graph {@code connect}; WhatsApp answers with the user's SDP in a
 * {@code connect} webhook ({@code direction: BUSINESS_INITIATED}, {@code session.sdp_type: answer}) when the user
 * picks up, and the agent greets first once media is up. A user without permission can be asked for it, and the call
 * dialled when the grant arrives ({@code dial_on_grant}). Unanswered calls end after the dial timeout.
 */
public final class OutboundCalls {
    private static final Logger log = LoggerFactory.getLogger(OutboundCalls.class);
    /** A phone number in the digits Graph takes (E.164 without the plus), or a BSUID such as {@code US.1349…}. */
    private static final Pattern PHONE = Pattern.compile("\\+?[1-9][0-9]{6,14}");
    private static final Pattern BSUID = Pattern.compile("[A-Z]{2}\\.[0-9A-Za-z]{4,64}");

    /**
     * What the business asks for.
     *
     * @param to                 the user: phone number or BSUID
     * @param phoneNumberId      the business number to call from; null for {@code WHATSAPP_PHONE_NUMBER_ID}
     * @param agent              what this call's agent says and how (null fields keep the configured agent)
     * @param callbackData       echoed by WhatsApp's webhooks ({@code biz_opaque_callback_data})
     * @param requestPermission  without permission, send the user a permission request
     * @param dialOnGrant        without permission, wait for the user's grant (implies the request) and dial then
     */
    public record DialRequest(String to, String phoneNumberId, AgentOverrides agent, String callbackData,
                              boolean requestPermission, boolean dialOnGrant) {}

    /** What became of a {@link DialRequest}; {@code httpStatus} is what the API answers with. */
    public sealed interface DialOutcome {
        int httpStatus();

        /** Graph {@code connect} took the call: it rings on the user's phone. */
        record Dialled(String callId, String waCallId) implements DialOutcome {
            @Override
            public int httpStatus() {
                return 201;
            }
        }

        /** No permission yet: a request was sent (or pending), and the call is dialled on the grant if asked. */
        record PermissionRequested(String callId, String permission, boolean requestSent, boolean dialOnGrant)
                implements DialOutcome {
            @Override
            public int httpStatus() {
                return 202;
            }
        }

        /** Not dialled; {@code callId} names the row that says why, when one was written. */
        record Refused(int httpStatus, String error, String callId, String permission, Integer graphCode)
                implements DialOutcome {
        }
    }

    /**
     * @param dialTimeout an unanswered call is ended (Graph {@code terminate}) after this
     * @param grantWait   how long a {@code dial_on_grant} call waits for the user's grant
     */
    public record Settings(Duration dialTimeout, Duration grantWait) {}

    private final CallController control;
    private final CallRegistry registry;
    private final CallMedia media;
    private final GraphApiClient graph;
    private final CallLog callLog;
    private final MeterRegistry metrics;
    private final Executor work;
    private final CallPermissionGate permissions;
    private final CallAgentSettings agentSettings;
    private final Settings settings;
    private final String defaultPhoneNumberId;
    private final Function<String, String> agentNames;
    private final String instanceId;
    private final SecureRandom random = new SecureRandom();
    private final GrantWaits awaitingGrant = new GrantWaits();
    private final DialledCalls dialled;
    private final Timer connectDelay;
    /** Upper bounds of the connect delay's buckets, microseconds. */
    private static final Duration[] CONNECT_DELAY_BUCKETS = LongStream.of(250, 500, 1_000, 2_000, 3_000, 5_000,
            7_500, 10_000, 15_000, 20_000, 30_000, 50_000, 100_000, 250_000)
            .mapToObj(us -> Duration.ofNanos(us * 1_000)).toArray(Duration[]::new);

    OutboundCalls(CallController control, CallRegistry registry, CallMedia media, GraphApiClient graph, CallLog callLog,
            MeterRegistry metrics, Executor work, CallPermissionGate permissions, CallAgentSettings agentSettings,
            Settings settings, String defaultPhoneNumberId, Function<String, String> agentNames, String instanceId) {
        this.control = control;
        this.registry = registry;
        this.media = media;
        this.graph = graph;
        this.callLog = callLog;
        this.metrics = metrics;
        this.work = work;
        this.permissions = permissions;
        this.agentSettings = agentSettings;
        this.settings = settings;
        this.defaultPhoneNumberId = defaultPhoneNumberId;
        this.dialled = new DialledCalls(registry);
        this.connectDelay = Timer.builder("wavoice.outbound.connect.delay")
                .description("A call the business asked for: from the request to Graph connect going out")
                // Buckets, not percentiles: a reader can take the difference of two scrapes (a bench after its
                // warm-up) and get the quantiles of just the calls between them.
                .serviceLevelObjectives(CONNECT_DELAY_BUCKETS).register(metrics);
        this.agentNames = agentNames;
        this.instanceId = instanceId;
    }

    /** Checks permission, then dials, asks for permission, or refuses; returns once Graph has answered. */
    public DialOutcome dial(DialRequest request) {
        long asked = System.nanoTime();
        String to = request.to() == null ? "" : request.to().strip();
        boolean phone = PHONE.matcher(to).matches();
        if (!phone && !BSUID.matcher(to).matches()) {
            return refused(400, "to must be a phone number (digits, country code first) or a BSUID such as US.1349…");
        }
        if (phone && to.startsWith("+")) {
            to = to.substring(1);
        }
        String phoneNumberId = request.phoneNumberId() != null && !request.phoneNumberId().isBlank()
                ? request.phoneNumberId().strip() : defaultPhoneNumberId;
        if (phoneNumberId == null) {
            return refused(400,
                    "no business number to call from: pass phone_number_id or set WHATSAPP_PHONE_NUMBER_ID");
        }
        String callId = "wv." + HexFormat.of().formatHex(randomBytes());
        CallerIdentity user = phone ? new CallerIdentity(to, null, null) : new CallerIdentity(null, to, null);
        try (var ignored = MDC.putCloseable("callId", callId)) {
            CallPermissionGate.Verdict verdict;
            long checkStarted = System.nanoTime();
            try {
                verdict = permissions.check(phoneNumberId, to);
            } catch (GraphApiException e) {
                log.warn("call.permission_check_failed error=\"{}\"", e.getMessage());
                return refusedByGraph(e, null, null);
            }
            if (verdict.mayCall()) {
                log.debug("call.permission_checked status={} checkUs={}", verdict.status(),
                        (System.nanoTime() - checkStarted) / 1000);
                Call call = newCall(callId, user, phoneNumberId, request, CallState.DIALLING);
                return place(call, to, request, verdict.status(), false, asked);
            }
            return withoutPermission(callId, user, phoneNumberId, to, request, verdict, asked);
        }
    }

    private byte[] randomBytes() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return b;
    }

    private DialOutcome withoutPermission(String callId, CallerIdentity user, String phoneNumberId, String to,
            DialRequest request, CallPermissionGate.Verdict verdict, long asked) {
        metrics.counter("wavoice.outbound.no_permission", "status", verdict.status()).increment();
        if (!request.requestPermission() && !request.dialOnGrant()) {
            return new DialOutcome.Refused(verdict.limited() ? 429 : 403, "no call permission from the user ("
                    + verdict.status() + (verdict.reason() == null ? "" : ": " + verdict.reason())
                    + "); ask with request_permission or dial_on_grant", null, verdict.status(), null);
        }
        boolean sent = false;
        if (verdict.mayRequest()) {
            CallPermissionGate.RequestOutcome requested;
            try {
                requested = permissions.request(phoneNumberId, to);
            } catch (GraphApiException e) {
                log.warn("call.permission_request_failed error=\"{}\"", e.getMessage());
                return refusedByGraph(e, null, verdict.status());
            }
            if (!requested.sent()) {
                return new DialOutcome.Refused(requested.limited() ? 429 : 409, "cannot ask for call permission: "
                        + requested.refusal(), null, verdict.status(), null);
            }
            if ("already_granted".equals(requested.how())) { // granted between the check and the request
                Call call = newCall(callId, user, phoneNumberId, request, CallState.DIALLING);
                return place(call, to, request, "already_granted", false, asked);
            }
            sent = true;
        } else if (!request.dialOnGrant() || verdict.limited()) {
            return new DialOutcome.Refused(429, "a call permission request cannot be sent now"
                    + (verdict.reason() == null ? "" : ": " + verdict.reason()), null, verdict.status(), null);
        }
        if (!request.dialOnGrant()) {
            log.info("call.permission_requested user={}", to);
            return new DialOutcome.PermissionRequested(null, verdict.status(), sent, false);
        }
        Call call = newCall(callId, user, phoneNumberId, request, CallState.AWAITING_PERMISSION);
        callLog.saveCall(call.snapshot());
        callLog.event(callId, "call.requested", "to=" + to);
        callLog.event(callId, "permission.checked", verdict.status());
        if (sent) {
            callLog.event(callId, "permission.requested", null);
        }
        awaitingGrant.add(call, request);
        control.schedule(call, settings.grantWait(), () -> {
            if (call.state() == CallState.AWAITING_PERMISSION) {
                awaitingGrant.drop(call);
                control.end(call, EndReason.NO_PERMISSION, "no grant within " + settings.grantWait(), null);
            }
        });
        log.info("call.awaiting_permission user={} requestSent={} waitS={}", to, sent,
                settings.grantWait().toSeconds());
        return new DialOutcome.PermissionRequested(callId, verdict.status(), sent, true);
    }

    /** The user granted call permission (webhook): calls waiting for it are dialled now. */
    public void permissionGranted(String phoneNumberId, String user) {
        for (GrantWaits.Waiting waiting : awaitingGrant.takeAll(phoneNumberId, user)) {
            Call call = waiting.call();
            if (CallController.hasEnded(call)) {
                continue;
            }
            work.execute(() -> {
                try (var ignored = MDC.putCloseable("callId", call.callId())) {
                    callLog.event(call.callId(), "permission.granted", null);
                    call.lock().lock();
                    try {
                        call.moveTo(CallState.DIALLING);
                    } finally {
                        call.lock().unlock();
                    }
                    place(call, user, waiting.request(), "granted", true, System.nanoTime());
                }
            });
        }
    }

    /** The user declined or revoked: calls waiting for a grant end now. */
    public void permissionRefused(String phoneNumberId, String user, String why) {
        for (GrantWaits.Waiting waiting : awaitingGrant.takeAll(phoneNumberId, user)) {
            work.execute(() -> control.end(waiting.call(), EndReason.NO_PERMISSION, why, null));
        }
    }

    private Call newCall(String callId, CallerIdentity user, String phoneNumberId, DialRequest request,
            CallState first) {
        // The business's display number is not known until WhatsApp's first webhook for the call names it.
        return new Call(callId, Call.Direction.BUSINESS_INITIATED, user, null, phoneNumberId,
                agentNames.apply(phoneNumberId),
                instanceId, request.callbackData(), first);
    }

    /**
     * Offer, {@code connect}, dial timeout. {@code permission} is the user's permission status (reported when Graph
     * refuses); {@code onGrant}: the call waited for the user's grant, and logged its request when it was made.
     * {@code asked} is when the business asked (the dial's own clock starts there: how long until {@code connect} goes
     * out is {@code wavoice_outbound_connect_delay_seconds}).
     */
    private DialOutcome place(Call call, String to, DialRequest request, String permission, boolean onGrant,
            long asked) {
        switch (registry.register(call)) {
            case DUPLICATE -> throw new IllegalStateException("call id " + call.callId() + " already live");
            case OVER_CAPACITY -> {
                callLog.saveCall(call.snapshot());
                control.end(call, EndReason.REJECTED_CAPACITY, "over WAVOICE_MAX_CALLS=" + registry.maxCalls(), null);
                return new DialOutcome.Refused(503, "over capacity (WAVOICE_MAX_CALLS=" + registry.maxCalls() + ")",
                        call.callId(), permission, null);
            }
            case ADMITTED -> { }
        }
        metrics.counter("wavoice.calls.started", "direction", "business_initiated").increment();
        callLog.saveCall(call.snapshot());
        if (!onGrant) {
            callLog.event(call.callId(), "call.requested", "to=" + to);
        }
        agentSettings.put(call.callId(), request.agent());
        CallFacts facts = new CallFacts("outbound", to, null, call.phoneNumberId(), null);
        agentSettings.describe(call.callId(), facts);
        CallMedia.OutboundSession session;
        long offerStarted = System.nanoTime();
        try {
            session = media.offer(call.callId());
        } catch (MediaException e) {
            control.end(call, e.reason(), e.getMessage(), null);
            return new DialOutcome.Refused(503, e.getMessage(), call.callId(), permission, null);
        }
        call.lock().lock();
        try {
            call.attachMedia(session);
        } finally {
            call.lock().unlock();
        }
        session.ended().thenAccept(e -> work.execute(() -> control.end(call, e.reason(), e.detail(), null)));

        String waCallId;
        long connectStarted = System.nanoTime();
        connectDelay.record(connectStarted - asked, TimeUnit.NANOSECONDS);
        dialled.connecting();
        try {
            waCallId = graph.connect(call.phoneNumberId(), to, session.offerSdp(), request.callbackData());
        } catch (GraphApiException e) {
            call.lock().lock();
            try {
                call.graphError(e.code());
            } finally {
                call.lock().unlock();
            }
            EndReason reason = MetaCallErrors.isPermission(e) ? EndReason.NO_PERMISSION : EndReason.GRAPH_ERROR;
            control.end(call, reason, e.getMessage(), null);
            return refusedByGraph(e, call.callId(), permission);
        } finally {
            dialled.connectDone();
        }
        boolean endedFirst;
        call.lock().lock();
        try {
            // An end after this sees WhatsApp's id and hangs up through Graph itself; one before could not.
            endedFirst = call.isEnded();
            call.dialled(waCallId);
            agentSettings.describe(call.callId(), facts.withWaCallId(waCallId));
            callLog.saveCall(call.snapshot());
        } finally {
            call.lock().unlock();
        }
        dialled.named(waCallId, call);
        callLog.event(call.callId(), "graph.connect", "wa_call_id=" + waCallId);
        log.info("call.dialled waCallId={} setupMs={} toConnectUs={} offerUs={} graphUs={}", waCallId,
                call.elapsedMillis(), (connectStarted - asked) / 1000, (connectStarted - offerStarted) / 1000,
                (System.nanoTime() - connectStarted) / 1000);
        control.schedule(call, settings.dialTimeout(), () -> {
            if (call.state() != CallState.CONNECTED) {
                control.end(call, EndReason.DIAL_TIMEOUT, "not answered within " + settings.dialTimeout(), null);
            }
        });
        if (endedFirst) { // ended while Graph placed it (its media failed): WhatsApp rings a call nobody carries
            control.hangUpDialled(call);
        }
        return new DialOutcome.Dialled(call.callId(), waCallId);
    }

    /**
     * A {@code connect} webhook for a call the business placed: the user picked up and {@code session} holds their
     * answer. The media connects; the agent greets first once it has.
     */
    void onAnswer(WebhookPayload.CallEvent event) {
        Call call = dialled.find(event.id());
        if (call == null) {
            String ended = dialled.endedAs(event.id());
            if (ended != null) {
                refuseAnswer(event.id(), "call_ended", "the call had ended already");
                callLog.event(ended, "webhook.connect.refused", "answer for a call that had ended already");
            } else {
                refuseAnswer(event.id(), "unknown_call", "no call placed here has this id");
            }
            return;
        }
        try (var ignored = MDC.putCloseable("callId", call.callId())) {
            if (CallController.hasEnded(call)) {
                refuseAnswer(event.id(), "call_ended", "the call had ended already");
                return;
            }
            String sdp = event.session() == null ? null : event.session().sdp();
            String type = event.session() == null ? null : event.session().sdpType();
            boolean hasAnswer = sdp != null && !sdp.isBlank() && "answer".equalsIgnoreCase(type);
            CallMedia.OutboundSession session;
            MediaException bad = null;
            call.lock().lock();
            try {
                session = call.media() instanceof CallMedia.OutboundSession s ? s : null;
                if (session != null && session.answered()) {
                    // A redelivery that de-duplication could not tell (another timestamp): the call goes on.
                    metrics.counter("wavoice.outbound.answers_refused", "reason", "answered_already").increment();
                    log.info("call.answer_ignored reason=\"an answer was applied already\"");
                    return;
                }
                if (session != null && hasAnswer) {
                    try {
                        session.applyAnswer(sdp); // quick: parses, then starts checks; once, under the lock
                    } catch (MediaException e) {
                        bad = e;
                    }
                }
            } finally {
                call.lock().unlock();
            }
            callLog.event(call.callId(), "webhook.connect", "answer");
            if (!hasAnswer) {
                metrics.counter("wavoice.outbound.answers_refused", "reason", "no_answer_sdp").increment();
                control.end(call, EndReason.REJECTED_BAD_ANSWER, "connect without an SDP answer (sdp_type="
                        + type + ")", null);
                return;
            }
            if (session == null) {
                control.end(call, EndReason.REJECTED_BAD_ANSWER, "the call has no media to answer", null);
                return;
            }
            if (bad != null) {
                metrics.counter("wavoice.outbound.answers_refused", "reason", "bad_answer").increment();
                control.end(call, bad.reason(), bad.getMessage(), null);
                return;
            }
            log.info("call.answered setupMs={}", call.elapsedMillis());
            work.execute(() -> {
                try (var ignored2 = MDC.putCloseable("callId", call.callId())) {
                    connectMedia(call, session);
                }
            });
        }
    }

    private void connectMedia(Call call, CallMedia.OutboundSession session) {
        if (!control.awaitStep(call, session.connected(), EndReason.MEDIA_FAILED, "ICE/DTLS not connected")) {
            return;
        }
        callLog.event(call.callId(), "media.connected", null);
        if (!control.awaitStep(call, session.ready(), EndReason.AGENT_FAILED, "agent not ready")) {
            return;
        }
        if (!control.transition(call, CallState.CONNECTED, "call.connected")) {
            return;
        }
        log.info("call.connected setupMs={}", call.elapsedMillis());
        control.scheduleMaxDuration(call);
        session.callConnected();
    }

    /** A status of a call the business placed: it rings, the user accepted, or the user declined. */
    void onStatus(Call call, WebhookPayload.CallStatus status) {
        String s = status.status() == null ? "" : status.status().toUpperCase(Locale.ROOT);
        switch (s) {
            case "RINGING" -> {
                if (!control.transition(call, CallState.RINGING, "webhook.status", s)) {
                    callLog.event(call.callId(), "webhook.status", s);
                }
            }
            case "REJECTED" -> {
                callLog.event(call.callId(), "webhook.status", s);
                control.end(call, EndReason.REJECTED_REMOTE, "the user declined the call", null);
            }
            default -> callLog.event(call.callId(), "webhook.status", s);
        }
    }

    private void refuseAnswer(String waCallId, String reason, String detail) {
        metrics.counter("wavoice.outbound.answers_refused", "reason", reason).increment();
        log.warn("call.answer_refused waCallId={} reason={} detail=\"{}\"", waCallId, reason, detail);
    }

    private DialOutcome refused(int status, String error) {
        metrics.counter("wavoice.outbound.refused", "status", Integer.toString(status)).increment();
        return new DialOutcome.Refused(status, error, null, null, null);
    }

    private DialOutcome refusedByGraph(GraphApiException e, String callId, String permission) {
        int status = MetaCallErrors.apiStatus(e);
        metrics.counter("wavoice.outbound.refused", "status", Integer.toString(status)).increment();
        return new DialOutcome.Refused(status, e.getMessage(), callId, permission, e.code());
    }

    /** A call ended: any wait for a grant goes with it (call control drops its agent settings). */
    void ended(Call call) {
        awaitingGrant.drop(call);
        dialled.ended(call);
    }
}
