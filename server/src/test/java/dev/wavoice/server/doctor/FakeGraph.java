package dev.wavoice.server.doctor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The two Graph reads the doctor makes, answered from fixtures: the phone number's fields and its settings. Either
 * answer can be replaced by an error fixture, and the whole Graph can hang: accept each request and never answer.
 */
final class FakeGraph implements AutoCloseable {
    record Reply(int status, String body) {
    }

    private final HttpServer server;
    private final CountDownLatch released = new CountDownLatch(1);
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile Reply phoneNumber = new Reply(200, DoctorFixtures.read("graph-phone-number.json"));
    private volatile Reply settings = new Reply(200, DoctorFixtures.read("graph-settings-calling-enabled.json"));
    private volatile boolean hang;

    FakeGraph() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every request, phone number and settings alike, answers this. */
    FakeGraph failing(int status, String fixture) {
        Reply r = new Reply(status, DoctorFixtures.read(fixture));
        phoneNumber = r;
        settings = r;
        return this;
    }

    FakeGraph settings(String fixture) {
        settings = new Reply(200, DoctorFixtures.read(fixture));
        return this;
    }

    FakeGraph hang() {
        hang = true;
        return this;
    }

    List<String> authorizations() {
        return authorizations;
    }

    private void handle(HttpExchange ex) throws IOException {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) { // the clock check asks for the Date alone, with no token
            authorizations.add(authorization);
        }
        if (hang) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
            return;
        }
        String path = ex.getRequestURI().getPath();
        Reply reply = path.endsWith("/settings") ? settings : phoneNumber;
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(reply.status(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
