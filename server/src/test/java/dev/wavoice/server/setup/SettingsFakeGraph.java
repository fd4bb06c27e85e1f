package dev.wavoice.server.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A number's {@code /settings} on a fake Graph: GET answers the settings it holds (from a fixture), POST records
 * the body, lays its {@code calling} fields over what it holds as Graph does, and answers the success fixture.
 * It can instead answer every request with an error fixture, or take writes without keeping them.
 * (The doctor's fake Graph answers GETs only, so this one stands beside it.)
 */
final class SettingsFakeGraph implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received: method, path, Authorization header and body. */
    record Request(String method, String path, String authorization, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile ObjectNode held;
    private volatile String errorFixture;
    private volatile boolean keepWrites = true;

    SettingsFakeGraph(String settingsFixture) throws IOException {
        held = (ObjectNode) JSON.readTree(fixture(settingsFixture));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    static String fixture(String name) {
        try (InputStream in = SettingsFakeGraph.class.getResourceAsStream("/setup/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture setup/" + name + " missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request answers HTTP 400 with this error fixture. */
    SettingsFakeGraph failing(String errorFixture) {
        this.errorFixture = errorFixture;
        return this;
    }

    /** POSTs answer success but change nothing. */
    SettingsFakeGraph ignoringWrites() {
        keepWrites = false;
        return this;
    }

    List<Request> requests() {
        return requests;
    }

    List<Request> posts() {
        return requests.stream().filter(r -> r.method().equals("POST")).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                ex.getRequestHeaders().getFirst("Authorization"), body));
        if (errorFixture != null) {
            reply(ex, 400, fixture(errorFixture));
            return;
        }
        if (ex.getRequestMethod().equals("POST")) {
            JsonNode posted = JSON.readTree(body).path("calling");
            if (keepWrites) {
                ObjectNode next = held.deepCopy();
                ObjectNode calling = (ObjectNode) next.path("calling");
                posted.properties().forEach(e -> calling.set(e.getKey(), e.getValue()));
                held = next;
            }
            reply(ex, 200, fixture("post-settings-success.json"));
            return;
        }
        reply(ex, 200, held.toString());
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
