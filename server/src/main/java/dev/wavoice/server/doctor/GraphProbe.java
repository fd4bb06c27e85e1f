package dev.wavoice.server.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.WavoiceConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Optional;

/**
 * One read of the Graph API as the doctor needs it: a single GET, no retries (the call path's
 * {@code GraphApiClient} retries, which a check bounded to a few seconds cannot afford), and Graph's error codes
 * turned into what to fix. The token goes into the Authorization header only.
 */
final class GraphProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Graph answered: the HTTP status and the body (an empty object when it was not JSON). */
    record Answer(int status, JsonNode body) {
        boolean ok() {
            return status / 100 == 2 && !body.has("error");
        }
    }

    /** The Graph request could not be made: the message names the host and says why. */
    static final class Unreachable extends Exception {
        Unreachable(String message) {
            super(message);
        }
    }

    private final DoctorSetup setup;
    private final WavoiceConfig config;

    GraphProbe(DoctorSetup setup) {
        this.setup = setup;
        this.config = setup.config();
    }

    /** Why Graph cannot be asked at all (nothing to ask with), or empty; the configuration has parsed. */
    static Optional<String> cannotAsk(DoctorSetup setup) {
        if (!setup.config().accessToken().isPresent()) {
            return Optional.of("not checked: WHATSAPP_ACCESS_TOKEN is not set");
        }
        if (setup.config().phoneNumberId() == null) {
            return Optional.of("not checked: WHATSAPP_PHONE_NUMBER_ID is not set");
        }
        return Optional.empty();
    }

    String host() {
        URI u = config.graphUrl();
        return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
    }

    /** GET {@code /{version}/{phone_number_id}{suffix}}. */
    Answer getPhoneNumber(String suffix) throws Unreachable, InterruptedException {
        String base = config.graphUrl().toString().replaceAll("/+$", "");
        URI uri = URI.create(base + "/" + config.graphVersion() + "/" + config.phoneNumberId() + suffix);
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(setup.requestTimeout())
                .header("Authorization", "Bearer " + config.accessToken().reveal())
                .GET().build();
        // Shut down rather than closed: close() waits for exchanges, and a hung one must be left behind.
        HttpClient http = HttpClient.newBuilder().connectTimeout(setup.requestTimeout()).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                body = JSON.createObjectNode();
            }
            return new Answer(response.statusCode(), body == null || body.isMissingNode() ? JSON.createObjectNode() : body);
        } catch (HttpTimeoutException e) {
            throw new Unreachable("no answer from " + host() + " within " + setup.requestTimeout().toMillis() + " ms");
        } catch (IOException e) {
            throw new Unreachable("cannot reach " + host() + ": " + setup.describe(e));
        } finally {
            http.shutdownNow();
        }
    }

    /** What a check got from Graph: the answer's body, or the failed check that says why there is none. */
    sealed interface Asked {
        record Body(JsonNode json) implements Asked {
        }

        record Failed(Check check) implements Asked {
        }
    }

    /**
     * Reads {@code /{version}/{phone_number_id}{suffix}} for the check {@code name}: not set up, unreachable and Graph
     * errors come back as its failed line with what to do.
     */
    static Asked ask(DoctorSetup setup, String name, String suffix) throws InterruptedException {
        var cannot = cannotAsk(setup);
        if (cannot.isPresent()) {
            return new Asked.Failed(Check.fail(name, cannot.get(),
                    "set the WhatsApp variables (see the configuration line)"));
        }
        GraphProbe graph = new GraphProbe(setup);
        try {
            Answer answer = graph.getPhoneNumber(suffix);
            return answer.ok() ? new Asked.Body(answer.body()) : new Asked.Failed(graph.failure(name, answer));
        } catch (Unreachable e) {
            return new Asked.Failed(Check.fail(name, e.getMessage(), "check this host's route to " + graph.host()
                    + " (DNS, firewall, proxy) and WHATSAPP_GRAPH_URL"));
        }
    }

    /** A Graph error turned into a failed check: the code, Graph's own words, and what to do. */
    Check failure(String name, Answer answer) {
        JsonNode error = answer.body().path("error");
        int code = error.path("code").asInt(-1);
        int subcode = error.path("error_subcode").asInt(-1);
        String message = setup.scrub(error.path("message").asText("HTTP " + answer.status()));
        String found = "Graph error " + (code < 0 ? "HTTP " + answer.status() : code
                + (subcode < 0 ? "" : "/" + subcode)) + ": " + message;
        return Check.fail(name, found, GraphErrorAdvice.forError(code, message));
    }
}
