package dev.wavoice.server.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meta's Graph API as the business side sees it, on a loopback port: {@code POST /{version}/{phone-number-id}/calls}
 * with {@code pre_accept}, {@code accept}, {@code reject} or {@code terminate}. Every action is answered
 * {@code {"success":true}} and handed to the simulated caller of that call id, which is how the answer SDP reaches
 * the caller (as Meta relays it to the phone).
 *
 * <p>A {@code connect} (the business places a call) names the user in {@code to}, not a call: it goes to the
 * simulated user expecting calls on that number, is given a new call id, and is answered as Meta answers it,
 * {@code {"messaging_product":"whatsapp","calls":[{"id":"wacid…"}]}}; later actions on that id reach the same user.
 * A call permission check ({@code GET /{version}/{phone-number-id}/call_permissions}) is answered for every user with
 * a permanent permission and {@code start_call} allowed, so a server that asks before dialling may dial; the checks are
 * counted, for a figure that must say whether a Graph round trip preceded the {@code connect}.
 */
public final class GraphStandIn implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GraphStandIn.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SUCCESS = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
    /**
     * Graph's answer to a call permission check for a user who granted permanent permission: {@code start_call}
     * allowed, within a daily limit the simulation never reaches, and no permission request needed.
     */
    private static final byte[] PERMANENT_PERMISSION = ("{\"messaging_product\":\"whatsapp\","
            + "\"permission\":{\"status\":\"permanent\"},\"actions\":["
            + "{\"action_name\":\"send_call_permission_request\",\"can_perform_action\":false,\"limits\":[]},"
            + "{\"action_name\":\"start_call\",\"can_perform_action\":true,\"limits\":[{\"time_period\":\"PT24H\","
            + "\"max_allowed\":100000,\"current_usage\":0}]}]}").getBytes(StandardCharsets.UTF_8);

    /**
     * One business-side action as received.
     *
     * @param callId        the call acted on; for a {@code connect}, the id this stand-in gave the new call
     * @param to            the user a {@code connect} calls (null for other actions)
     * @param callbackData  a {@code connect}'s {@code biz_opaque_callback_data}
     * @param receivedNanos when the request reached this stand-in ({@link System#nanoTime()})
     */
    public record Action(String action, String callId, String sdp, String to, String callbackData,
                         long receivedNanos) {}

    /** Receives the actions for one call id, on an HTTP worker (virtual) thread. */
    @FunctionalInterface
    public interface Listener {
        void onAction(Action action);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Listener> listeners = new ConcurrentHashMap<>();
    private final LongAdder unknownCalls = new LongAdder();
    private final LongAdder floodCallActions = new LongAdder();
    /** Simulated users waiting to be called, by the number (or BSUID) a {@code connect} names in {@code to}. */
    private final Map<String, Listener> users = new ConcurrentHashMap<>();
    private final AtomicLong placedCalls = new AtomicLong();
    private final LongAdder permissionChecks = new LongAdder();
    private final String runId = Long.toHexString(System.nanoTime() & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);

    private GraphStandIn(HttpServer server) {
        this.server = server;
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Binds 127.0.0.1 on {@code port} (0: any free port). */
    public static GraphStandIn start(int port) throws IOException {
        return new GraphStandIn(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512));
    }

    /** What the server under test must use as its Graph API base URL. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void register(String callId, Listener listener) {
        listeners.put(callId, listener);
    }

    public void unregister(String callId) {
        listeners.remove(callId);
    }

    /** {@code listener} takes the {@code connect} that calls {@code to}, and every later action on that call. */
    public void expectCall(String to, Listener listener) {
        users.put(to, listener);
    }

    public void forgetUser(String to) {
        users.remove(to);
    }

    /** Actions that named a call id no simulated caller owns (a sign of a confused server). */
    public long unknownCalls() {
        return unknownCalls.sum();
    }

    /** Call permission checks received ({@code GET …/call_permissions}). */
    public long permissionChecks() {
        return permissionChecks.sum();
    }

    /** Actions on a call a badly signed {@link WebhookFlood} webhook named: each one a forged call the server took. */
    public long floodCallActions() {
        return floodCallActions.sum();
    }

    private void handle(HttpExchange ex) throws IOException {
        long now = System.nanoTime();
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if ("GET".equals(ex.getRequestMethod()) && path.matches("/v\\d+\\.\\d+/[^/]+/call_permissions")) {
                permissionChecks.increment();
                reply(ex, 200, PERMANENT_PERMISSION);
                return;
            }
            if (!"POST".equals(ex.getRequestMethod()) || !path.matches("/v\\d+\\.\\d+/[^/]+/calls")) {
                reply(ex, 404, "{\"error\":{\"message\":\"unknown path\",\"code\":100}}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(raw);
            } catch (IOException e) {
                reply(ex, 400, "{\"error\":{\"message\":\"invalid JSON\",\"code\":100}}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if ("connect".equals(body.path("action").asText(""))) {
                placeCall(ex, body, now);
                return;
            }
            Action action = new Action(body.path("action").asText(""), body.path("call_id").asText(""),
                    body.path("session").path("sdp").asText(null), null, null, now);
            // Answer first, as Meta does: the caller's reaction (DTLS etc.) must not delay the business's request.
            reply(ex, 200, SUCCESS);
            Listener l = listeners.get(action.callId());
            if (action.callId().startsWith(WebhookFlood.CALL_ID_PREFIX)) {
                floodCallActions.increment();
            }
            if (l == null) {
                unknownCalls.increment();
                log.debug("sim.graph_unknown_call call_id={} action={}", action.callId(), action.action());
                return;
            }
            l.onAction(action);
        }
    }

    /** A business-initiated call: a new call id for the user {@code to} names, who then hears about it. */
    private void placeCall(HttpExchange ex, JsonNode body, long receivedNanos) throws IOException {
        String to = body.path("to").asText("");
        Listener user = users.get(to);
        if (user == null) {
            unknownCalls.increment();
            log.debug("sim.graph_unknown_user to={}", to);
            reply(ex, 400, ("{\"error\":{\"message\":\"(#100) no simulated user has the number or BSUID in to\","
                    + "\"type\":\"OAuthException\",\"code\":100}}").getBytes(StandardCharsets.UTF_8));
            return;
        }
        String callId = "wacid.SIMOUT-" + runId + "-" + placedCalls.incrementAndGet();
        // Known before the business hears of it: its terminate may follow the answer at once.
        listeners.put(callId, user);
        ObjectNode answer = JSON.createObjectNode().put("messaging_product", "whatsapp");
        answer.putArray("calls").addObject().put("id", callId);
        reply(ex, 200, JSON.writeValueAsBytes(answer));
        user.onAction(new Action("connect", callId, body.path("session").path("sdp").asText(null), to,
                body.path("biz_opaque_callback_data").asText(null), receivedNanos));
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
        ex.getResponseBody().flush();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
