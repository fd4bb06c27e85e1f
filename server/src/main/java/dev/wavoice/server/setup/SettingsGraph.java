package dev.wavoice.server.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.doctor.GraphErrorAdvice;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Reads and writes a number's {@code /settings} on Graph: one request each, no retries (a person is waiting at the
 * terminal, and a POST retried after a lost answer is not what they asked for). The token goes into the
 * Authorization header only.
 */
final class SettingsGraph {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Graph refused, or could not be reached: what happened (no token in it) and what to do. */
    static final class Failure extends Exception {
        private final String advice;

        Failure(String message, String advice) {
            super(message);
            this.advice = advice;
        }

        String advice() {
            return advice;
        }
    }

    private final GraphTarget target;
    private final Duration timeout;

    SettingsGraph(GraphTarget target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    /** The number's {@code calling} object (empty when Graph has none). */
    JsonNode readCalling() throws Failure, InterruptedException {
        JsonNode body = send(HttpRequest.newBuilder(target.settingsUri()).GET());
        JsonNode calling = body.path("calling");
        return calling.isObject() ? calling : JSON.createObjectNode();
    }

    /** POSTs {@code {"calling": calling}}; Graph answers {@code {"success": true}}. */
    void writeCalling(ObjectNode calling) throws Failure, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.set("calling", calling);
        JsonNode answer = send(HttpRequest.newBuilder(target.settingsUri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (!answer.path("success").asBoolean(false)) {
            throw new Failure("Graph did not confirm the change: " + target.scrub(answer.toString()),
                    "read the settings again with wavoice setup (without --apply) to see what Graph holds");
        }
    }

    private JsonNode send(HttpRequest.Builder request) throws Failure, InterruptedException {
        String host = target.graphUrl().getAuthority();
        HttpRequest built = request.timeout(timeout)
                .header("Authorization", "Bearer " + target.accessToken().reveal())
                .build();
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = null;
            }
            if (body == null || body.isMissingNode()) {
                body = JSON.createObjectNode();
            }
            if (response.statusCode() / 100 != 2 || body.has("error")) {
                throw failure(response.statusCode(), body.path("error"));
            }
            return body;
        } catch (HttpTimeoutException e) {
            throw new Failure("no answer from " + host + " within " + timeout.toMillis() + " ms",
                    "check this host's route to " + host + " (DNS, firewall, proxy) and WHATSAPP_GRAPH_URL");
        } catch (IOException e) {
            throw new Failure("cannot reach " + host + ": " + target.scrub(reason(e)),
                    "check this host's route to " + host + " (DNS, firewall, proxy) and WHATSAPP_GRAPH_URL");
        } finally {
            http.shutdownNow();
        }
    }

    private Failure failure(int status, JsonNode error) {
        int code = error.path("code").asInt(-1);
        int subcode = error.path("error_subcode").asInt(-1);
        String message = target.scrub(error.path("message").asText("HTTP " + status));
        String found = "Graph error " + (code < 0 ? "HTTP " + status : code + (subcode < 0 ? "" : "/" + subcode))
                + ": " + message;
        return new Failure(found, GraphErrorAdvice.forError(code, message));
    }

    /**
     * The JDK's connect errors carry their reason on a cause, if anywhere: a refused connection is a
     * {@code ConnectException} with no message at all, which alone tells a person nothing.
     */
    private static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return "connection refused (nothing listening there, or a firewall rejecting it)";
            }
        }
        return error.getClass().getSimpleName();
    }
}
