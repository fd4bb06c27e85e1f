package dev.wavoice.server.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A local stand-in for the Graph API: records every request and answers from a script of responses (status and
 * body, a delay, or a dropped connection); unscripted requests get Meta's success body. Faults can be aimed at one
 * call's action ({@link #failing}), so a healthy call beside it is answered normally, and its port can be shut
 * so that connections are refused ({@link #refuseConnections}). Permission checks and messages are answered per user
 * ({@link #permissionAnswer}, {@link #messageAnswer}): by default no permission, and a message accepted.
 */
public final class FakeGraphApi implements AutoCloseable {
    /** One scripted answer. */
    public record Reply(int status, String body, Duration delay, boolean drop, String retryAfter) {
        public static Reply ok() {
            return new Reply(200, "{\"success\":true}", Duration.ZERO, false, null);
        }

        public static Reply status(int status, String body) {
            return new Reply(status, body, Duration.ZERO, false, null);
        }

        public static Reply graphError(int status, int code, Integer subcode, String message) {
            String sub = subcode == null ? "" : ",\"error_subcode\":" + subcode;
            return status(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":"
                    + code + sub + ",\"fbtrace_id\":\"AbCdEfGh123\"}}");
        }

        public static Reply delayed(Duration delay) {
            return new Reply(200, "{\"success\":true}", delay, false, null);
        }

        public static Reply dropConnection() {
            return new Reply(0, null, Duration.ZERO, true, null);
        }

        /** The same reply with a {@code Retry-After} header (seconds, or anything a server might send). */
        public Reply withRetryAfter(String value) {
            return new Reply(status, body, delay, drop, value);
        }
    }

    /** One request as received; {@code query} is the raw query string (the permission check's user), or null. */
    public record Request(String method, String path, String authorization, JsonNode body, long receivedNanos,
            String query) {
        public String action() {
            return body == null ? null : body.path("action").asText(null);
        }

        /** The SDP of the request's {@code session} (pre_accept, accept), or "" without one. */
        public String sdp() {
            return body.path("session").path("sdp").asText();
        }

        public String callId() {
            return body == null ? null : body.path("call_id").asText(null);
        }

        /** A permission check ({@code GET …/call_permissions}). */
        public boolean isPermissionCheck() {
            return "GET".equals(method) && path.endsWith("/call_permissions");
        }

        /** A message send ({@code POST …/messages}). */
        public boolean isMessage() {
            return "POST".equals(method) && path.endsWith("/messages");
        }

        /** The user a permission check or a message is about: user_wa_id or recipient, to or recipient. */
        public String user() {
            if (isPermissionCheck() && query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = eq < 0 ? pair : pair.substring(0, eq);
                    if (key.equals("user_wa_id") || key.equals("recipient")) {
                        return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    }
                }
                return null;
            }
            if (body == null) {
                return null;
            }
            return body.hasNonNull("to") ? body.path("to").asText() : body.path("recipient").asText(null);
        }
    }

    /** Meta's answer for a user nobody scripted: no permission, a request may be sent. */
    public static final String NO_PERMISSION_ANSWER = "{\"messaging_product\":\"whatsapp\",\"permission\":"
            + "{\"status\":\"no_permission\"},\"actions\":[{\"action_name\":\"send_call_permission_request\","
            + "\"can_perform_action\":true,\"limits\":[]},{\"action_name\":\"start_call\",\"can_perform_action\":false,"
            + "\"limits\":[]}]}";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A fault aimed at one call's action: the next {@code left} such requests get {@code reply}. */
    private record Fault(Reply reply, AtomicInteger left) { }

    private final HttpServer server;
    /** What clients connect to: in front of {@link #server}, so that connections can be refused on demand. */
    private final TcpGate gate;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final BlockingDeque<Reply> script = new LinkedBlockingDeque<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    /** Calls placed through {@code connect}: the n-th is answered as {@code wacid.FAKE-n}. */
    private final AtomicInteger connects = new AtomicInteger();
    /** Per user: the answer to every permission check about them, and to every message sent to them. */
    private final Map<String, Reply> permissionAnswers = new ConcurrentHashMap<>();
    private final Map<String, Reply> messageAnswers = new ConcurrentHashMap<>();
    private final AtomicInteger messageIds = new AtomicInteger();

    public FakeGraphApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        gate = new TcpGate(server.getAddress().getPort());
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + gate.port());
    }

    /**
     * Answers the next {@code times} requests of {@code action} for {@code callId} with {@code reply}
     * ({@link Integer#MAX_VALUE}: every one), ahead of the script; other calls and actions are not affected.
     */
    public FakeGraphApi failing(String callId, String action, int times, Reply reply) {
        faults.put(callId + "/" + action, new Fault(reply, new AtomicInteger(times)));
        return this;
    }

    /** Answers every permission check about {@code user} (phone number or BSUID, as sent) with {@code reply}. */
    public FakeGraphApi permissionAnswer(String user, Reply reply) {
        permissionAnswers.put(user, reply);
        return this;
    }

    /** Answers every message sent to {@code user} with {@code reply} (by default: accepted, a new wamid). */
    public FakeGraphApi messageAnswer(String user, Reply reply) {
        messageAnswers.put(user, reply);
        return this;
    }

    /** Cuts every open connection and refuses new ones: each request from now on fails to connect. */
    public void refuseConnections() throws IOException {
        gate.shut();
    }

    /** Listens again, on the same port, after {@link #refuseConnections()}. */
    public void acceptConnections() throws IOException {
        gate.open();
    }

    /** Queues replies for the next requests, in order. */
    public FakeGraphApi then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(Predicate<Request> filter) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (filter.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    public List<String> actions() {
        return requests.stream().map(Request::action).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] raw = ex.getRequestBody().readAllBytes();
        JsonNode body = null;
        try {
            body = raw.length == 0 ? null : JSON.readTree(raw);
        } catch (IOException ignored) {
            // recorded as null
        }
        Request received = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Authorization"), body, System.nanoTime(), ex.getRequestURI().getRawQuery());
        requests.add(received);
        if (received.isPermissionCheck() || received.isMessage()) {
            // Scripted per user, never from the shared script, so that call actions keep their scripted answers.
            Reply answer = received.isPermissionCheck()
                    ? permissionAnswers.getOrDefault(String.valueOf(received.user()), Reply.status(200, NO_PERMISSION_ANSWER))
                    : messageAnswers.getOrDefault(String.valueOf(received.user()), Reply.status(200,
                            "{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + received.user()
                                    + "\",\"wa_id\":\"" + received.user() + "\"}],\"messages\":[{\"id\":\"wamid.FAKE"
                                    + messageIds.incrementAndGet() + "\"}]}"));
            respond(ex, answer);
            return;
        }
        Fault fault = faults.get(callIdOf(body) + "/" + (body == null ? null : body.path("action").asText(null)));
        Reply reply = fault != null && fault.left().getAndDecrement() > 0 ? fault.reply() : script.pollFirst();
        if (reply == null) {
            reply = body != null && "connect".equals(body.path("action").asText())
                    ? Reply.status(200, "{\"messaging_product\":\"whatsapp\",\"calls\":[{\"id\":\"wacid.FAKE-"
                            + connects.incrementAndGet() + "\"}]}")
                    : Reply.ok();
        }
        respond(ex, reply);
    }

    private static void respond(HttpExchange ex, Reply reply) throws IOException {
        try {
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reply.drop()) {
            // Closing without a status line: the client sees the connection dropped mid-request.
            ex.close();
            return;
        }
        byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (reply.retryAfter() != null) {
            ex.getResponseHeaders().set("Retry-After", reply.retryAfter());
        }
        ex.sendResponseHeaders(reply.status(), out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private static String callIdOf(JsonNode body) {
        return body == null ? null : body.path("call_id").asText(null);
    }

    @Override
    public void close() {
        try {
            gate.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        server.stop(0);
    }
}
