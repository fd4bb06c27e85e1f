package dev.wavoice.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The OpenAI key is accepted and the configured model can open a Realtime session: first the model is read
 * ({@code GET /v1/models/{model}}), then a Realtime socket is opened as the call path opens it and closed at its first
 * event. A refusal is classified by {@link AgentFailures}, as a call's would be. Only checked when the agent is
 * {@code openai}.
 */
final class OpenAiCheck implements DoctorCheck {
    static final String NAME = "openai";
    /** Env var: the REST base ({@code https://api.openai.com/v1}); default derived from the Realtime URL. */
    static final String BASE_URL_ENV = "OPENAI_BASE_URL";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DoctorSetup setup;

    OpenAiCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() throws InterruptedException {
        if (setup.config().agent() != AgentKind.OPENAI) {
            return Check.ok(NAME, "not used (agent " + setup.config().agent().configName() + ")");
        }
        AgentConfig agent;
        try {
            agent = AgentConfig.fromEnvironment(setup.env());
        } catch (ConfigException e) {
            return Check.fail(NAME, setup.scrub(e.getMessage()), "fix the agent settings named above");
        }
        if (!agent.apiKey().isPresent()) {
            return Check.fail(NAME, "OPENAI_API_KEY is not set", "set OPENAI_API_KEY, or choose another WAVOICE_AGENT");
        }
        long started = System.nanoTime();
        Check model = readModel(agent);
        if (model != null) {
            return model;
        }
        return openSession(agent, started);
    }

    static URI modelsBase(AgentConfig agent, String configured) {
        if (configured != null && !configured.isBlank()) {
            return URI.create(configured.trim().replaceAll("/+$", ""));
        }
        URI ws = agent.url();
        String scheme = "wss".equals(ws.getScheme()) ? "https" : "http";
        String path = ws.getPath() == null ? "" : ws.getPath().replaceAll("/realtime/?$", "");
        return URI.create(scheme + "://" + ws.getRawAuthority() + (path.isEmpty() ? "/v1" : path));
    }

    /** Null when the model is there; else the failed check. */
    private Check readModel(AgentConfig agent) throws InterruptedException {
        URI base = modelsBase(agent, setup.env().get(BASE_URL_ENV));
        URI uri = URI.create(base + "/models/" + URLEncoder.encode(agent.model(), StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(setup.requestTimeout())
                .header("Authorization", "Bearer " + agent.apiKey().reveal()).GET().build();
        HttpResponse<String> response;
        HttpClient http = HttpClient.newBuilder().connectTimeout(setup.requestTimeout()).build();
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return Check.fail(NAME, "no answer from " + base.getAuthority() + " within "
                    + setup.requestTimeout().toMillis() + " ms", "check this host's route to " + base.getAuthority());
        } catch (IOException e) {
            return Check.fail(NAME, "cannot reach " + base.getAuthority() + ": " + setup.describe(e),
                    "check this host's route to " + base.getAuthority() + " and " + BASE_URL_ENV);
        } finally {
            http.shutdownNow();
        }
        String code = errorCode(response.body());
        return switch (response.statusCode()) {
            case 200 -> null;
            case 401 -> Check.fail(NAME, "OPENAI_API_KEY refused (HTTP 401" + code + ")",
                    "set a valid OPENAI_API_KEY (platform.openai.com > API keys)");
            case 404 -> Check.fail(NAME, "model " + agent.model() + " unknown or no access (HTTP 404" + code + ")",
                    "set OPENAI_REALTIME_MODEL to a Realtime model this key's project may use (e.g. "
                            + AgentConfig.DEFAULT_MODEL + ")");
            default -> Check.fail(NAME, "models answered HTTP " + response.statusCode() + code,
                    "see the OpenAI status page; a 429 means no quota left on the key's project");
        };
    }

    private static String errorCode(String body) {
        try {
            JsonNode code = JSON.readTree(body).path("error").path("code");
            return code.isTextual() ? ", " + code.asText() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Opens the socket as {@code RealtimeConnector} does and closes it at the first event. */
    private Check openSession(AgentConfig agent, long started) throws InterruptedException {
        URI uri = URI.create(agent.url() + (agent.url().getRawQuery() == null ? "?" : "&") + "model="
                + URLEncoder.encode(agent.model(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    first.complete(text.toString());
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                first.complete("{\"type\":\"closed\",\"status\":" + status + ",\"reason\":"
                        + JSON.getNodeFactory().textNode(reason == null ? "" : reason) + "}");
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                first.completeExceptionally(error);
            }
        };
        Duration left = setup.requestTimeout().minusNanos(System.nanoTime() - started);
        if (left.toMillis() < 50) {
            left = Duration.ofMillis(50);
        }
        WebSocket socket = null;
        HttpClient http = HttpClient.newBuilder().connectTimeout(left).build();
        try {
            socket = http.newWebSocketBuilder().connectTimeout(left)
                    .header("Authorization", "Bearer " + agent.apiKey().reveal())
                    .buildAsync(uri, listener).get(left.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = started + setup.requestTimeout().toNanos();
            String event = first.get(Math.max(1_000_000, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return fromFirstEvent(agent, JSON.readTree(event), started);
        } catch (ExecutionException e) {
            return refused(AgentFailures.fromConnectError(e.getCause()));
        } catch (TimeoutException e) {
            return Check.fail(NAME, "no Realtime session from " + agent.url().getAuthority() + " within "
                    + setup.requestTimeout().toMillis() + " ms", "check this host's route to "
                    + agent.url().getAuthority() + " and OPENAI_REALTIME_URL");
        } catch (IOException e) {
            return Check.fail(NAME, "the Realtime endpoint sent something not JSON", "check OPENAI_REALTIME_URL");
        } finally {
            if (socket != null) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "doctor");
                socket.abort();
            }
            http.shutdownNow();
        }
    }

    private Check fromFirstEvent(AgentConfig agent, JsonNode event, long started) {
        String type = event.path("type").asText();
        if (type.equals("error")) {
            JsonNode error = event.path("error");
            return refused(AgentFailures.fromError(error.path("type").asText(null), error.path("code").asText(null),
                    error.path("message").asText(null), false));
        }
        if (type.equals("closed")) {
            return refused(AgentFailures.fromClose(event.path("status").asInt(), event.path("reason").asText(), null));
        }
        return Check.ok(NAME, "key accepted; model " + agent.model() + " opened a Realtime session (" + type + ") in "
                + (System.nanoTime() - started) / 1_000_000 + " ms, closed at once");
    }

    private Check refused(AgentFailure failure) {
        return Check.fail(NAME, "Realtime session refused: " + failure.code() + " (" + setup.scrub(failure.detail())
                + ")", failure.hint().isBlank() ? "see the code above; the README's agent failure table explains it"
                : failure.hint());
    }
}
