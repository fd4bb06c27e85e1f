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
 * broken JSON, a dropped socket, a stall, or a refusal as OpenAI sends it for a wrong key). {@link #send} goes to the
 * newest connection.
 */
public final class ScriptedRealtimeServer implements AutoCloseable {
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
    /** Instead of {@code session.updated}: this error event, then a close with this code and reason. */
    private volatile String refusalError;
    private volatile int refusalCloseCode;
    private volatile String refusalCloseReason;
    /** After {@code session.updated}, close every connection after this delay with this code (0: never). */
    private volatile long closeConfiguredAfterMs;
    private volatile int closeConfiguredCode;
    volatile String authorization;
    volatile String query;

    public ScriptedRealtimeServer() {
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
                        String refusal = refusalError;
                        if (refusal != null) {
                            ctx.send(refusal.replace("$EVENT_ID", event.path("event_id").asText()));
                            if (refusalCloseCode != 0) {
                                ctx.closeSession(refusalCloseCode, refusalCloseReason);
                            }
                            return;
                        }
                        ctx.send("{\"type\":\"session.updated\",\"session\":" + event.path("session") + "}");
                        if (indexOf(ctx) == 0) {
                            firstScript.forEach(ctx::send);
                        }
                        long after = closeConfiguredAfterMs;
                        if (after > 0) {
                            int code = closeConfiguredCode;
                            Thread.ofVirtual().start(() -> {
                                try {
                                    Thread.sleep(after);
                                    ctx.closeSession(code, "scripted");
                                } catch (InterruptedException | RuntimeException e) {
                                    // the client went first
                                }
                            });
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

    /**
     * Refuses every session as OpenAI does a wrong key: an {@code error} event (a {@code $EVENT_ID} in it becomes the
     * client's {@code event_id}), then, unless {@code closeCode} is 0, a close with that code and reason.
     */
    public void refuseSessions(String errorEvent, int closeCode, String closeReason) {
        refusalError = errorEvent;
        refusalCloseCode = closeCode;
        refusalCloseReason = closeReason;
    }

    /** Closes every connection {@code afterMs} after it was configured, with {@code code}. */
    public void closeEachConfiguredSession(long afterMs, int code) {
        closeConfiguredCode = code;
        closeConfiguredAfterMs = afterMs;
    }

    /** An {@code error} event as the Realtime API sends one. */
    public static String error(String type, String code, String message) {
        return "{\"type\":\"error\",\"event_id\":\"event_1\",\"error\":{\"type\":\"" + type + "\",\"code\":\"" + code
                + "\",\"message\":\"" + message + "\",\"param\":null,\"event_id\":null}}";
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/v1/realtime");
    }

    /** Sends to the newest connection. */
    public synchronized void send(String raw) {
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

    /** Closes the newest connection with a close frame of this code and reason. */
    public void closeNewest(int code, String reason) {
        connections.getLast().closeSession(code, reason);
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

    public int connections() {
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
