package dev.wavoice.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.web.ExtraRoutes;
import dev.wavoice.server.web.LiveFeed;
import dev.wavoice.server.web.LiveStream;
import dev.wavoice.server.web.StaticResource;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseHandler;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WhatsApp's part in {@code wavoice demo}: the browser page is the caller's phone, this class is Meta between
 * the phone and the business. It reaches the service only as Meta does: signed webhooks POSTed over HTTP to
 * {@code /webhook} (through the real signature check), and the Graph call actions the service sends to the
 * configured Graph URL, which points at {@code /demo/graph/...} here (bearer token checked).
 *
 * <pre>
 * page                          simulated Meta                         wavoice
 * POST /demo/calls           →  reserves a call id
 * GET  /demo/calls/{id}/live →  the call's live feed (SSE)
 * POST /demo/calls/{id}/offer → connect webhook (offer)            →  /webhook
 *                                /demo/graph/.../calls pre_accept  ←  answer SDP
 *                             ←  the answer (or the rejection)
 *                                /demo/graph/.../calls accept      ←  (ICE+DTLS up)   → notice on the feed
 * POST /demo/calls/{id}/hangup → terminate webhook                  →  /webhook
 * </pre>
 *
 * <p>Calls the business places to the demo's user ("Let the agent call me") are Meta's other side, in
 * {@link OutboundRinger}; the Graph route hands it {@code connect} and the actions on its calls.
 */
public final class MetaSimulator implements ExtraRoutes {
    private static final Logger log = LoggerFactory.getLogger(MetaSimulator.class);
    private static final int MAX_CALLS = 1000;
    /** A reserved call id that never got an offer is forgotten after this long. */
    private static final Duration RESERVATION = Duration.ofMinutes(1);
    private static final int MAX_SDP_CHARS = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Meta's view of one demo call. */
    private static final class DemoCall {
        final String callId;
        final CompletableFuture<String> answer = new CompletableFuture<>(); // null value: rejected
        final Instant reservedAt = Instant.now();
        volatile String state = "reserved";
        volatile Instant acceptedAt;

        DemoCall(String callId) {
            this.callId = callId;
        }

        /** One offer per call, as one phone places one call: false when this one already has its offer. */
        synchronized boolean ring() {
            if (!state.equals("reserved")) {
                return false;
            }
            state = "ringing";
            return true;
        }
    }

    /** What the page's live stream ticks with: Meta's state of the call. */
    public record MetaView(String callId, String state, Instant acceptedAt) {}

    private final SignedWebhookSender sender;
    private final GraphAccessToken graphToken;
    private final ObjectMapper json;
    private final DemoWebhooks webhooks;
    private final OutboundRinger outbound;
    private final Duration answerTimeout;
    private final Map<String, DemoCall> calls = new ConcurrentHashMap<>();
    private volatile LiveFeed live;

    /**
     * @param webhookUrl    the service's own {@code /webhook}
     * @param appSecret     signs the webhooks (the service verifies them with the same secret)
     * @param accessToken   what the service must present on Graph requests
     * @param answerTimeout how long an offer waits for the service's {@code pre_accept} or {@code reject}
     */
    public MetaSimulator(URI webhookUrl, String appSecret, String accessToken, ObjectMapper json, Duration answerTimeout) {
        this.sender = new SignedWebhookSender(webhookUrl, appSecret);
        this.graphToken = new GraphAccessToken(accessToken);
        this.json = json;
        this.webhooks = new DemoWebhooks();
        this.outbound = new OutboundRinger(sender, graphToken, json);
        this.answerTimeout = answerTimeout;
    }

    /** The service's outbound flow, for "Let the agent call me": set once the service exists. */
    public void dialThrough(OutboundCalls outboundCalls) {
        outbound.dialThrough(outboundCalls::dial);
    }

    /** A random secret for one run (app secret, access token) when none is configured. */
    public static String randomSecret() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void addTo(RoutesConfig routes, LiveFeed live, LiveStream stream) {
        this.live = live;
        routes.get("/", StaticResource.of("demo.html"));
        routes.get("/assets/demo.js", StaticResource.of("demo.js"));
        routes.get("/assets/demo-call-me.js", StaticResource.of("demo-call-me.js"));
        routes.post("/demo/calls", this::reserve);
        routes.get("/demo/calls/{callId}/live", ctx -> {
            DemoCall call = calls.get(ctx.pathParam("callId"));
            if (call == null) {
                ctx.status(404).result("no such demo call");
                return;
            }
            new SseHandler(client -> stream.stream(client, call.callId, () -> view(call))).handle(ctx);
        });
        routes.post("/demo/calls/{callId}/offer", this::offer);
        routes.post("/demo/calls/{callId}/hangup", this::hangup);
        routes.post("/demo/graph/{version}/{phoneNumberId}/calls", this::graph);
        outbound.addTo(routes, live, stream);
    }

    private static MetaView view(DemoCall call) {
        return new MetaView(call.callId, call.state, call.acceptedAt);
    }

    private void reserve(Context ctx) throws Exception {
        Instant stale = Instant.now().minus(RESERVATION);
        calls.values().removeIf(c -> c.state.equals("reserved") && c.reservedAt.isBefore(stale));
        if (calls.size() >= MAX_CALLS) {
            ctx.status(429).result("too many demo calls");
            return;
        }
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        DemoCall call = new DemoCall("wacid.demo-" + HexFormat.of().formatHex(id));
        calls.put(call.callId, call);
        ctx.json(Map.of("callId", call.callId));
    }

    /** The phone's offer goes to the business as a signed connect webhook; the business answers on Graph. */
    private void offer(Context ctx) throws Exception {
        DemoCall call = calls.get(ctx.pathParam("callId"));
        String sdp = json.readTree(ctx.body()).path("sdp").asText("");
        if (sdp.isBlank() || sdp.length() > MAX_SDP_CHARS) {
            ctx.status(400).json(Map.of("error", "an SDP offer is required"));
            return;
        }
        if (call == null || !call.ring()) {
            ctx.status(409).json(Map.of("error", "no such call waiting for an offer"));
            return;
        }
        int status = postWebhook(call.callId, "connect", webhooks.connect(call.callId, sdp, Instant.now()));
        if (status != 200) {
            end(call, "webhook refused");
            ctx.status(502).json(Map.of("error", "the service answered the connect webhook with HTTP " + status));
            return;
        }
        String answer;
        try {
            answer = call.answer.get(answerTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            end(call, "no answer");
            ctx.status(504).json(Map.of("error", "no pre_accept from the service within " + answerTimeout));
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (answer == null) {
            ctx.json(Map.of("callId", call.callId, "rejected", true));
        } else {
            ctx.json(Map.of("callId", call.callId, "sdp", answer));
        }
    }

    /** The caller hangs up: Meta tells the business with a terminate webhook. */
    private void hangup(Context ctx) throws Exception {
        DemoCall call = calls.get(ctx.pathParam("callId"));
        if (call == null) {
            ctx.status(404).json(Map.of("error", "no such call"));
            return;
        }
        Instant now = Instant.now();
        end(call, "caller hung up");
        int status = postWebhook(call.callId, "terminate", webhooks.terminate(call.callId, call.acceptedAt, now));
        ctx.json(Map.of("callId", call.callId, "webhookStatus", status));
    }

    /** {@code POST /{version}/{phoneNumberId}/calls}: the call actions the business sends to Meta. */
    private void graph(Context ctx) throws Exception {
        if (!graphToken.admits(ctx)) {
            return;
        }
        if (!DemoWebhooks.PHONE_NUMBER_ID.equals(ctx.pathParam("phoneNumberId"))) {
            graphError(ctx, 400, 100, "Unknown phone number id");
            return;
        }
        JsonNode body = json.readTree(ctx.body());
        String action = body.path("action").asText("");
        if (action.equals("connect")) {
            outbound.connect(ctx, body);
            return;
        }
        String callId = body.path("call_id").asText("");
        DemoCall call = calls.get(callId);
        if (call == null && outbound.knows(callId)) {
            outbound.graphAction(ctx, action, callId);
            return;
        }
        if (call == null) {
            graphError(ctx, 400, 100, "Invalid call id");
            return;
        }
        String sdp = body.path("session").path("sdp").asText(null);
        switch (action) {
            case "pre_accept", "accept" -> {
                if (sdp == null || sdp.isBlank()) {
                    graphError(ctx, 400, 100, action + " needs session.sdp");
                    return;
                }
                if (action.equals("accept")) {
                    call.acceptedAt = Instant.now();
                    call.state = "accepted";
                } else {
                    call.state = "pre_accepted";
                }
                call.answer.complete(sdp); // the page applies the first answer; accept repeats it
            }
            case "reject" -> {
                end(call, "rejected by the business");
                call.answer.complete(null);
            }
            case "terminate" -> end(call, "terminated by the business");
            default -> {
                graphError(ctx, 400, 100, "Unsupported action " + action);
                return;
            }
        }
        log.info("demo.graph_received callId={} action={}", call.callId, action);
        live.notice(call.callId, "meta." + action, null);
        ctx.json(Map.of("messaging_product", "whatsapp", "success", true));
    }

    private void end(DemoCall call, String why) {
        call.state = "ended";
        calls.remove(call.callId);
        log.info("demo.call_over callId={} reason=\"{}\"", call.callId, why);
    }

    private static void graphError(Context ctx, int status, int code, String message) {
        GraphAccessToken.graphError(ctx, status, code, message);
    }

    private int postWebhook(String callId, String event, byte[] body) throws InterruptedException {
        return sender.post(callId, event, body);
    }
}
