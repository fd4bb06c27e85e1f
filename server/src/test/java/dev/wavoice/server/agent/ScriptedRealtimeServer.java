package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Realtime endpoint for tests: records every client event and the handshake headers, answers
 * {@code session.update} like the real service, and sends whatever the test scripts (including broken JSON or a
 * dropped socket).
 */
final class ScriptedRealtimeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private volatile WsContext client;
    volatile String authorization;
    volatile String query;

    ScriptedRealtimeServer() {
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            cfg.routes.ws("/v1/realtime", ws -> {
                ws.onConnect(ctx -> {
                    authorization = ctx.header("Authorization");
                    query = ctx.queryString();
                    client = ctx;
                    send("{\"type\":\"session.created\",\"session\":{\"type\":\"realtime\"}}");
                });
                ws.onMessage(ctx -> {
                    JsonNode event = JSON.readTree(ctx.message());
                    received.add(event);
                    if (event.path("type").asText().equals("session.update")) {
                        send("{\"type\":\"session.updated\",\"session\":" + event.path("session") + "}");
                    }
                });
            });
        }).start();
    }

    URI url() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/v1/realtime");
    }

    synchronized void send(String raw) {
        client.send(raw);
    }

    /** Cuts the TCP connection without a close frame, as a crashed or unreachable server would. */
    void drop() {
        client.session.disconnect();
    }

    List<JsonNode> received() {
        return List.copyOf(received);
    }

    List<JsonNode> received(String type) {
        return received.stream().filter(e -> e.path("type").asText().equals(type)).toList();
    }

    @Override
    public void close() {
        app.stop();
    }
}
