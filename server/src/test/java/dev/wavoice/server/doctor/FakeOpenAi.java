package dev.wavoice.server.doctor;

import io.javalin.Javalin;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * OpenAI as the doctor sees it: {@code GET /v1/models/{model}} and the Realtime socket at {@code /v1/realtime}, which
 * sends its first event at once ({@code session.created}, or an {@code error} then a close) from fixtures. The key
 * is checked on both, as OpenAI checks it.
 */
final class FakeOpenAi implements AutoCloseable {
    private final Javalin app;
    private final String key;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile int modelStatus = 200;
    private volatile String modelBody = DoctorFixtures.read("openai-model.json");
    private volatile String firstEvent = DoctorFixtures.read("realtime-session-created.json");

    FakeOpenAi(String key) {
        this.key = key;
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jetty.host = "127.0.0.1";
            cfg.jetty.port = 0;
            cfg.routes.get("/v1/models/{model}", ctx -> {
                if (!("Bearer " + key).equals(ctx.header("Authorization"))) {
                    ctx.status(401).contentType("application/json")
                            .result(DoctorFixtures.read("openai-error-401-invalid-api-key.json"));
                    return;
                }
                ctx.status(modelStatus).contentType("application/json").result(modelBody);
            });
            cfg.routes.ws("/v1/realtime", ws -> ws.onConnect(ctx -> {
                sessions.incrementAndGet();
                String event = firstEvent;
                ctx.send(event);
                if (event.contains("\"error\"")) {
                    ctx.closeSession(1008, "invalid_request_error." + (event.contains("model_not_found")
                            ? "model_not_found" : "other"));
                }
            }));
        }).start();
    }

    URI restBase() {
        return URI.create("http://127.0.0.1:" + app.port() + "/v1");
    }

    URI realtimeUrl() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/v1/realtime");
    }

    FakeOpenAi modelMissing() {
        modelStatus = 404;
        modelBody = DoctorFixtures.read("openai-error-404-model-not-found.json");
        return this;
    }

    /** The model exists, but a Realtime session on it is refused. */
    FakeOpenAi realtimeRefuses(String fixture) {
        firstEvent = DoctorFixtures.read(fixture);
        return this;
    }

    int sessions() {
        return sessions.get();
    }

    @Override
    public void close() {
        app.stop();
    }
}
