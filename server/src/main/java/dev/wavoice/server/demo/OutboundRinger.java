package dev.wavoice.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentOverrides;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.call.OutboundCalls.DialOutcome;
import dev.wavoice.server.web.LiveFeed;
import dev.wavoice.server.web.LiveStream;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meta's part in "Let the agent call me": the business places a call to the demo's user, and the browser page is
 * that user's phone. The call is placed by the service's own outbound flow ({@link OutboundCalls#dial}); its Graph
 * {@code connect} arrives here, gets a new WhatsApp call id, and rings the page; the page's answer or refusal goes
 * back to the service as Meta's signed webhooks.
 *
 * <pre>
 * page                                 simulated Meta                           wavoice
 * POST /demo/outbound               →  dial (the service's outbound flow)   →  builds its offer
 *                                      /demo/graph/.../calls connect        ←  offer; answered with a call id
 *                                   ←  both call ids
 * GET  /demo/outbound/{id}/live     →  the call's live feed (SSE)
 * POST /demo/outbound/{id}/ring     →  status RINGING webhook               →  /webhook
 *                                   ←  the offer: the phone rings
 * POST /demo/outbound/{id}/answer   →  connect webhook (BUSINESS_INITIATED, the page's answer), status ACCEPTED
 * POST /demo/outbound/{id}/decline  →  status REJECTED, terminate REJECTED
 * POST /demo/outbound/{id}/hangup   →  terminate COMPLETED
 *                                      /demo/graph/.../calls terminate      ←  the service hangs up (timeout, agent)
 * </pre>
 */
final class OutboundRinger {
    private static final Logger log = LoggerFactory.getLogger(OutboundRinger.class);
    private static final int MAX_CALLS = 1000;
    private static final int MAX_SDP_CHARS = 64 * 1024;
    /** Echoed by WhatsApp on the call's webhooks; the call row shows it. */
    static final String CALLBACK_DATA = "demo-call-me";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Places a call through the service. */
    @FunctionalInterface
    interface Dialer {
        DialOutcome dial(OutboundCalls.DialRequest request);
    }

    /** Meta's view of one call the business placed. */
    private static final class PlacedCall {
        final String waCallId;
        final String offerSdp;
        final String callbackData;
        /** The service's id for the call, known once {@code dial} returns; the live feed is keyed by it. */
        volatile String callId;
        volatile String state = "dialled";
        volatile Instant acceptedAt;

        PlacedCall(String waCallId, String offerSdp, String callbackData) {
            this.waCallId = waCallId;
            this.offerSdp = offerSdp;
            this.callbackData = callbackData;
        }

        synchronized boolean move(String from, String to) {
            if (!state.equals(from)) {
                return false;
            }
            state = to;
            return true;
        }
    }

    /** What the page's live stream ticks with. */
    public record OutboundView(String callId, String waCallId, String state, Instant acceptedAt) {}

    private final SignedWebhookSender sender;
    private final GraphAccessToken graphToken;
    private final ObjectMapper json;
    private final OutboundWebhooks webhooks = new OutboundWebhooks();
    private final Map<String, PlacedCall> calls = new ConcurrentHashMap<>();
    private volatile Dialer dialer;
    private volatile LiveFeed live;

    OutboundRinger(SignedWebhookSender sender, GraphAccessToken graphToken, ObjectMapper json) {
        this.sender = sender;
        this.graphToken = graphToken;
        this.json = json;
    }

    /** The service's outbound flow, set once the service exists (it is built after its routes). */
    void dialThrough(Dialer dialer) {
        this.dialer = dialer;
    }

    void addTo(RoutesConfig routes, LiveFeed live, LiveStream stream) {
        this.live = live;
        routes.post("/demo/outbound", this::place);
        routes.get("/demo/outbound/{waCallId}/live", ctx -> {
            PlacedCall call = calls.get(ctx.pathParam("waCallId"));
            if (call == null || call.callId == null) {
                ctx.status(404).result("no such call");
                return;
            }
            new SseHandler(client -> stream.stream(client, call.callId, () -> view(call))).handle(ctx);
        });
        routes.post("/demo/outbound/{waCallId}/ring", this::ring);
        routes.post("/demo/outbound/{waCallId}/answer", this::answer);
        routes.post("/demo/outbound/{waCallId}/decline", this::decline);
        routes.post("/demo/outbound/{waCallId}/hangup", this::hangup);
        routes.get("/demo/graph/{version}/{phoneNumberId}/call_permissions", this::callPermissions);
    }

    private static OutboundView view(PlacedCall call) {
        return new OutboundView(call.callId, call.waCallId, call.state, call.acceptedAt);
    }

    /** The page's button: the service dials the demo's user, exactly as {@code POST /api/calls} would. */
    private void place(Context ctx) {
        Dialer d = dialer;
        if (d == null) {
            ctx.status(503).json(Map.of("error", "the service is not ready to place calls"));
            return;
        }
        DialOutcome outcome = d.dial(new OutboundCalls.DialRequest(OutboundWebhooks.USER_PHONE, null,
                AgentOverrides.NONE, CALLBACK_DATA, false, false));
        switch (outcome) {
            case DialOutcome.Dialled dialled -> {
                PlacedCall call = calls.get(dialled.waCallId());
                if (call == null) { // ended while dialling: the service hung up before the page could ring
                    ctx.status(409).json(Map.of("error", "the call ended while it was dialled", "callId",
                            dialled.callId()));
                    return;
                }
                call.callId = dialled.callId();
                ctx.json(Map.of("callId", dialled.callId(), "waCallId", dialled.waCallId()));
            }
            case DialOutcome.PermissionRequested p -> ctx.status(409)
                    .json(Map.of("error", "the service asked for call permission instead of calling"));
            case DialOutcome.Refused r -> ctx.status(r.httpStatus()).json(Map.of("error", r.error()));
        }
    }

    /** The phone rings: Meta tells the business (status RINGING) and the page gets the offer to answer. */
    private void ring(Context ctx) throws InterruptedException {
        PlacedCall call = calls.get(ctx.pathParam("waCallId"));
        if (call == null || call.callId == null || !call.move("dialled", "ringing")) {
            ctx.status(409).json(Map.of("error", "no such call waiting to ring"));
            return;
        }
        int status = sender.post(call.waCallId, "status.RINGING",
                webhooks.status(call.waCallId, "RINGING", Instant.now()));
        if (status != 200) {
            ctx.status(502).json(Map.of("error", "the service answered the RINGING webhook with HTTP " + status));
            return;
        }
        ctx.json(Map.of("callId", call.callId, "waCallId", call.waCallId, "sdp", call.offerSdp));
    }

    /** The user picks up: the page's SDP answer goes to the business in a business-initiated connect webhook. */
    private void answer(Context ctx) throws Exception {
        PlacedCall call = calls.get(ctx.pathParam("waCallId"));
        String sdp = json.readTree(ctx.body()).path("sdp").asText("");
        if (sdp.isBlank() || sdp.length() > MAX_SDP_CHARS) {
            ctx.status(400).json(Map.of("error", "an SDP answer is required"));
            return;
        }
        if (call == null || !call.move("ringing", "accepted")) {
            ctx.status(409).json(Map.of("error", "no such call ringing"));
            return;
        }
        Instant now = Instant.now();
        call.acceptedAt = now;
        int status = sender.post(call.waCallId, "connect", webhooks.answer(call.waCallId, sdp, call.callbackData, now));
        if (status != 200) {
            end(call, "connect webhook refused");
            ctx.status(502).json(Map.of("error", "the service answered the connect webhook with HTTP " + status));
            return;
        }
        // Meta sends ACCEPTED for the record, typically after the call is up.
        sender.post(call.waCallId, "status.ACCEPTED", webhooks.status(call.waCallId, "ACCEPTED", Instant.now()));
        ctx.json(Map.of("callId", call.callId, "webhookStatus", status));
    }

    /** The user declines: status REJECTED, then the terminate that closes the call on WhatsApp's side. */
    private void decline(Context ctx) throws InterruptedException {
        PlacedCall call = calls.get(ctx.pathParam("waCallId"));
        if (call == null || !call.move("ringing", "ended")) {
            ctx.status(409).json(Map.of("error", "no such call ringing"));
            return;
        }
        end(call, "declined by the user");
        Instant now = Instant.now();
        int status = sender.post(call.waCallId, "status.REJECTED", webhooks.status(call.waCallId, "REJECTED", now));
        sender.post(call.waCallId, "terminate", webhooks.terminate(call.waCallId, "REJECTED", call.callbackData,
                null, now));
        ctx.json(Map.of("callId", call.callId, "webhookStatus", status));
    }

    /** The user hangs up an answered call: terminate COMPLETED with the talk time. */
    private void hangup(Context ctx) throws InterruptedException {
        PlacedCall call = calls.get(ctx.pathParam("waCallId"));
        if (call == null || !call.move("accepted", "ended")) {
            ctx.status(409).json(Map.of("error", "no such call up"));
            return;
        }
        end(call, "user hung up");
        int status = sender.post(call.waCallId, "terminate", webhooks.terminate(call.waCallId, "COMPLETED",
                call.callbackData, call.acceptedAt, Instant.now()));
        ctx.json(Map.of("callId", call.callId, "webhookStatus", status));
    }

    /** Graph {@code connect}: the business calls a user; the answer names the new call. */
    void connect(Context ctx, JsonNode body) {
        String to = body.path("to").asText("").replaceFirst("^\\+", "");
        JsonNode session = body.path("session");
        String sdp = session.path("sdp").asText("");
        if (!to.equals(OutboundWebhooks.USER_PHONE) && !to.equals(OutboundWebhooks.USER_ID)) {
            GraphAccessToken.graphError(ctx, 400, 100, "Invalid parameter: the demo has one user, "
                    + OutboundWebhooks.USER_PHONE + " (" + OutboundWebhooks.USER_ID + ")");
            return;
        }
        if (!"offer".equals(session.path("sdp_type").asText("")) || sdp.isBlank() || sdp.length() > MAX_SDP_CHARS) {
            GraphAccessToken.graphError(ctx, 400, 100, "Invalid parameter: connect needs session.sdp_type offer"
                    + " and session.sdp");
            return;
        }
        if (calls.size() >= MAX_CALLS) {
            GraphAccessToken.graphError(ctx, 429, 80007, "Rate limit hit: too many demo calls");
            return;
        }
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        JsonNode callback = body.path("biz_opaque_callback_data");
        PlacedCall call = new PlacedCall("wacid.demo-out-" + HexFormat.of().formatHex(id), sdp,
                callback.isTextual() ? callback.asText() : null);
        calls.put(call.waCallId, call);
        log.info("demo.graph_received callId={} action=connect", call.waCallId);
        ctx.json(Map.of("messaging_product", "whatsapp", "calls", List.of(Map.of("id", call.waCallId))));
    }

    /** Whether {@code waCallId} names a call placed here (the Graph route asks before its own calls). */
    boolean knows(String waCallId) {
        return calls.containsKey(waCallId);
    }

    /** Graph actions on a call the business placed: it may only hang up ({@code terminate}). */
    void graphAction(Context ctx, String action, String waCallId) {
        PlacedCall call = calls.get(waCallId);
        if (call == null) {
            GraphAccessToken.graphError(ctx, 400, 100, "Invalid call id");
            return;
        }
        if (!action.equals("terminate")) {
            GraphAccessToken.graphError(ctx, 400, 100, "Unsupported action " + action
                    + " on a business-initiated call");
            return;
        }
        end(call, "terminated by the business");
        log.info("demo.graph_received callId={} action=terminate", waCallId);
        if (call.callId != null) {
            live.notice(call.callId, "meta.terminate", null);
        }
        ctx.json(Map.of("messaging_product", "whatsapp", "success", true));
    }

    /**
     * {@code GET /<PHONE_NUMBER_ID>/call_permissions}: the demo's user has granted a permanent permission, so a
     * service that checks before dialling may call; anyone else has none.
     */
    private void callPermissions(Context ctx) {
        if (!graphToken.admits(ctx)) {
            return;
        }
        String user = ctx.queryParam("user_wa_id") != null ? ctx.queryParam("user_wa_id") : ctx.queryParam("recipient");
        boolean demoUser = OutboundWebhooks.USER_PHONE.equals(user) || OutboundWebhooks.USER_ID.equals(user);
        ctx.json(Map.of("messaging_product", "whatsapp",
                "permission", Map.of("status", demoUser ? "permanent" : "no_permission"),
                "actions", List.of(
                        Map.of("action_name", "send_call_permission_request", "can_perform_action", !demoUser,
                                "limits", List.of()),
                        Map.of("action_name", "start_call", "can_perform_action", demoUser, "limits", List.of()))));
    }

    private void end(PlacedCall call, String why) {
        call.state = "ended";
        calls.remove(call.waCallId);
        log.info("demo.call_over callId={} reason=\"{}\"", call.waCallId, why);
    }
}
