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
 * so that connections are refused ({@link #refuseConnections}).
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

    /** One request as received. */
    public record Request(String method, String path, String authorization, JsonNode body, long receivedNanos) {
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
    }

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
        requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Authorization"), body, System.nanoTime()));
        Fault fault = faults.get(callIdOf(body) + "/" + (body == null ? null : body.path("action").asText(null)));
        Reply reply = fault != null && fault.left().getAndDecrement() > 0 ? fault.reply() : script.pollFirst();
        if (reply == null) {
            reply = body != null && "connect".equals(body.path("action").asText())
                    ? Reply.status(200, "{\"messaging_product\":\"whatsapp\",\"calls\":[{\"id\":\"wacid.FAKE-"
                            + connects.incrementAndGet() + "\"}]}")
                    : Reply.ok();
        }
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
