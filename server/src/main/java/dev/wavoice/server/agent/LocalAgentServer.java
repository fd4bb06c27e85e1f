package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in agent for users without an API key: a WebSocket endpoint speaking the GA Realtime events, so
 * {@link RealtimeConnector} talks to it exactly as to OpenAI. It detects speech by energy and answers by playing
 * the caller's words back after a chime (a line test); transcripts say what it did, never pretend to understand.
 *
 * <p>It runs as its own small Javalin instance bound to loopback rather than as a route on the public HTTP
 * server: nothing outside the machine can reach it, it needs no auth, and tests start it on port 0 alone.
 */
public final class LocalAgentServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalAgentServer.class);
    public static final String PATH = "/v1/realtime";

    private final Javalin app;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, LocalAgentConversation> conversations = new ConcurrentHashMap<>();

    private LocalAgentServer(int port) {
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = port;
            // Sessions open while the call rings (up to a minute with no audio); Jetty's 30 s default would cut them.
            cfg.jetty.modifyWebSocketServletFactory(f -> f.setIdleTimeout(Duration.ofMinutes(5)));
            cfg.routes.ws(PATH, ws -> {
                ws.onConnect(ctx -> {
                    LocalAgentConversation c = new LocalAgentConversation(json, text -> ctx.send(text));
                    conversations.put(ctx.sessionId(), c);
                    c.open();
                });
                ws.onMessage(ctx -> {
                    LocalAgentConversation c = conversations.get(ctx.sessionId());
                    if (c != null) {
                        c.onMessage(ctx.message());
                    }
                });
                ws.onClose(ctx -> {
                    LocalAgentConversation c = conversations.remove(ctx.sessionId());
                    if (c != null) {
                        c.close();
                    }
                });
            });
        });
    }

    /** Starts on 127.0.0.1; port 0 picks a free one. */
    public static LocalAgentServer start(int port) {
        LocalAgentServer server = new LocalAgentServer(port);
        server.app.start();
        log.info("local agent listening url={}", server.url());
        return server;
    }

    /** The endpoint to give {@link AgentConfig#url()}. */
    public URI url() {
        return URI.create("ws://127.0.0.1:" + app.port() + PATH);
    }

    @Override
    public void close() {
        conversations.values().forEach(LocalAgentConversation::close);
        app.stop();
    }
}
