package dev.wavoice.server.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent endpoint that refuses the WebSocket handshake with an HTTP status and an OpenAI-shaped error body, as the
 * real service does for a key it does not know (401), a key without Realtime access (403) or a wrong path or model
 * (404). Counts the attempts.
 */
public final class RefusingEndpoint implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger attempts = new AtomicInteger();

    public RefusingEndpoint(int status) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            attempts.incrementAndGet();
            byte[] body = ("{\"error\":{\"type\":\"invalid_request_error\",\"code\":null,\"message\":\"refused with "
                    + status + "\"}}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + server.getAddress().getPort() + "/v1/realtime");
    }

    public int attempts() {
        return attempts.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
