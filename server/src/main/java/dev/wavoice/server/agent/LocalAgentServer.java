package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.media.audio.OpusCodec;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
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

    private final LocalRtcCalls rtc;

    private LocalAgentServer(int port, LocalRtcCalls rtc) {
        this.rtc = rtc;
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = port;
            // Sessions open while the call rings (up to a minute with no audio); Jetty's 30 s default would cut them.
            cfg.jetty.modifyWebSocketServletFactory(f -> f.setIdleTimeout(Duration.ofMinutes(5)));
            cfg.routes.post(PATH + "/calls", ctx -> {
                if (rtc == null) {
                    ctx.status(404).json(Map.of("error", Map.of("type", "invalid_request_error",
                            "code", "webrtc_not_enabled", "message", "this local agent takes WebSocket sessions only")));
                    return;
                }
                try {
                    LocalRtcCalls.Call call = rtc.answer(ctx.contentType(), ctx.bodyAsBytes());
                    ctx.status(201).contentType("application/sdp").header("Location", PATH + "/calls/" + call.id)
                            .result(rtc.answerSdp(call));
                } catch (IllegalArgumentException e) {
                    ctx.status(400).json(Map.of("error", Map.of("type", "invalid_request_error",
                            "code", "invalid_offer", "message", String.valueOf(e.getMessage()))));
                }
            });
            cfg.routes.ws(PATH, ws -> {
                ws.onConnect(ctx -> {
                    String callId = ctx.queryParam("call_id");
                    LocalAgentConversation c;
                    if (callId == null) {
                        c = new LocalAgentConversation(json, text -> ctx.send(text));
                        c.open();
                    } else {
                        LocalRtcCalls.Call call = rtc == null ? null : rtc.call(callId);
                        if (call == null) {
                            ctx.closeSession(4004, "unknown call_id");
                            return;
                        }
                        c = call.attach(text -> ctx.send(text));
                    }
                    conversations.put(ctx.sessionId(), c);
                });
                ws.onMessage(ctx -> {
                    LocalAgentConversation c = conversations.get(ctx.sessionId());
                    if (c != null) {
                        synchronized (c) { // over WebRTC, caller audio reaches it from the media thread too
                            c.onMessage(ctx.message());
                        }
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
        return start(port, null);
    }

    /**
     * As {@link #start(int)}, also answering WebRTC calls ({@code POST /v1/realtime/calls}) with {@code codec} when
     * it is not null.
     */
    public static LocalAgentServer start(int port, OpusCodec codec) {
        LocalRtcCalls rtc;
        try {
            rtc = codec == null ? null : new LocalRtcCalls(codec, new ObjectMapper());
        } catch (IOException e) {
            throw new UncheckedIOException("the local agent cannot open its media port", e);
        }
        LocalAgentServer server = new LocalAgentServer(port, rtc);
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
        if (rtc != null) {
            try {
                rtc.close();
            } catch (IOException e) {
                log.debug("local agent media close failed: {}", e.toString());
            }
        }
    }
}
