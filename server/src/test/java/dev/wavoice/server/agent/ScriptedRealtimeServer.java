package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Realtime endpoint for tests: records every client event (and on which connection it came) and the handshake
 * headers, answers {@code session.update} like the real service, and sends whatever the test scripts (including
 * broken JSON, a dropped socket or a stall). {@link #send} goes to the newest connection.
 */
final class ScriptedRealtimeServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One client event and the connection (0 = first) it arrived on. */
    record Received(int connection, JsonNode event) {
        String type() {
            return event.path("type").asText();
        }
    }

    private final Javalin app;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<WsContext> connections = new CopyOnWriteArrayList<>();
    private final List<Integer> closedConnections = new CopyOnWriteArrayList<>();
    private final AtomicLong stallNanos = new AtomicLong();
    private volatile boolean stalled;
    private final CountDownLatch stallOver = new CountDownLatch(1);
    private volatile List<String> firstScript = List.of();
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
                    connections.add(ctx);
                    ctx.send("{\"type\":\"session.created\",\"session\":{\"type\":\"realtime\"}}");
                });
                ws.onMessage(ctx -> {
                    long stall = stallNanos.getAndSet(0);
                    if (stall > 0) {
                        // Blocks this connection's reader, so TCP backpressure reaches the client.
                        stalled = true;
                        stallOver.await(stall, TimeUnit.NANOSECONDS);
                        stalled = false;
                    }
                    JsonNode event = JSON.readTree(ctx.message());
                    received.add(new Received(indexOf(ctx), event));
                    if (event.path("type").asText().equals("session.update")) {
                        ctx.send("{\"type\":\"session.updated\",\"session\":" + event.path("session") + "}");
                        if (indexOf(ctx) == 0) {
                            firstScript.forEach(ctx::send);
                        }
                    }
                });
                ws.onClose(ctx -> closedConnections.add(indexOf(ctx)));
            });
        }).start();
    }

    private int indexOf(WsContext ctx) {
        for (int i = 0; i < connections.size(); i++) {
            if (connections.get(i).sessionId().equals(ctx.sessionId())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Events the first connection gets right after {@code session.updated}: a test's opening moves happen at once,
     * not whenever the test thread gets the CPU (which matters against a short session age).
     */
    void onFirstSessionUpdate(String... events) {
        firstScript = List.of(events);
    }

    URI url() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/v1/realtime");
    }

    /** Sends to the newest connection. */
    synchronized void send(String raw) {
        connections.getLast().send(raw);
    }

    /** Sends on one connection; nothing happens if the client already closed it. */
    synchronized void send(int connection, String raw) {
        WsContext ctx = connections.get(connection);
        if (ctx.session.isOpen()) {
            try {
                ctx.send(raw);
            } catch (RuntimeException e) {
                // closed meanwhile: as good as sent and lost
            }
        }
    }

    /** Cuts the newest connection's TCP connection without a close frame, as a crashed server would. */
    void drop() {
        connections.getLast().session.disconnect();
    }

    /** The next client event is read only after {@code duration}: the server stops reading meanwhile. */
    void stallNextRead(Duration duration) {
        stallNanos.set(duration.toNanos());
    }

    /** True while a stall is in progress. */
    boolean stalled() {
        return stalled;
    }

    int connections() {
        return connections.size();
    }

    /** Connections the client closed (or that dropped), by index. */
    List<Integer> closedConnections() {
        return List.copyOf(closedConnections);
    }

    List<JsonNode> received() {
        return received.stream().map(Received::event).toList();
    }

    List<JsonNode> received(String type) {
        return received.stream().filter(r -> r.type().equals(type)).map(Received::event).toList();
    }

    List<JsonNode> received(int connection, String type) {
        return received.stream().filter(r -> r.connection() == connection && r.type().equals(type))
                .map(Received::event).toList();
    }

    List<Received> receivedWithConnection() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        stallOver.countDown();
        app.stop();
    }
}
