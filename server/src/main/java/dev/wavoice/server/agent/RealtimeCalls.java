package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/realtime/calls}: hands the agent our SDP offer with the session configuration, as a multipart
 * form (parts {@code sdp} and {@code session}, as OpenAI's and Azure's references describe), and reads back the
 * SDP answer ({@code 201}, {@code application/sdp}) and the agent's call id from the {@code Location} header.
 * Errors come as OpenAI's JSON {@code {error:{type,code,message}}} and are classified like every other agent
 * failure; the key goes in the Authorization header only.
 */
final class RealtimeCalls {
    /** Call ids go into a URL query; anything else in a Location header is not taken. */
    private static final Pattern CALL_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final int MAX_ERROR_BODY = 4_096;

    /** What the agent answered: its SDP and the id of the call it created. */
    record Created(String answerSdp, String callId) {
    }

    private final URI endpoint;
    private final AgentConfig config;
    private final HttpClient http;
    private final Duration timeout;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();

    RealtimeCalls(AgentConfig config, HttpClient http, Duration timeout, ObjectMapper json) {
        this.config = config;
        this.endpoint = callsEndpoint(config.url());
        this.http = http;
        this.timeout = timeout;
        this.json = json;
    }

    /**
     * The calls endpoint beside a Realtime WebSocket URL: {@code wss://host/v1/realtime} →
     * {@code https://host/v1/realtime/calls} (ws → http for a local or test endpoint); the query is dropped.
     */
    static URI callsEndpoint(URI realtime) {
        String scheme = "wss".equals(realtime.getScheme()) ? "https" : "http";
        String path = realtime.getPath() == null || realtime.getPath().isEmpty() ? "/v1/realtime"
                : realtime.getPath().replaceAll("/+$", "");
        try {
            return new URI(scheme, null, realtime.getHost(), realtime.getPort(), path + "/calls", null, null);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("no calls endpoint beside " + realtime, e);
        }
    }

    /** Posts the offer; fails with an {@link AgentConnectException} whose failure says what went wrong. */
    CompletableFuture<Created> create(String offerSdp, String sessionJson) {
        String boundary = "wavoice" + HexFormat.of().formatHex(random.generateSeed(12));
        byte[] body = multipart(boundary, offerSdp, sessionJson);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (config.apiKey().isPresent()) {
            request.header("Authorization", "Bearer " + config.apiKey().reveal());
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, error) -> {
                    if (error != null) {
                        throw new AgentConnectException("could not post the offer to " + endpoint,
                                AgentFailures.fromConnectError(error), error);
                    }
                    return created(response);
                });
    }

    private Created created(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status != 200 && status != 201) {
            AgentFailure failure = failureOf(status, response.body());
            throw new AgentConnectException("the agent refused the offer at " + endpoint + ": " + failure.summary(),
                    failure, null);
        }
        String location = response.headers().firstValue("Location").orElse("");
        String callId = location.substring(location.lastIndexOf('/') + 1);
        if (!CALL_ID.matcher(callId).matches()) {
            throw new AgentConnectException("the agent's answer has no usable call id", new AgentFailure(
                    AgentFailure.Kind.PERMANENT, "agent_answer_unusable", true,
                    AgentFailures.clip("Location header '" + location + "' names no call id"),
                    "the agent endpoint does not speak the Realtime calls API: check OPENAI_REALTIME_URL"), null);
        }
        String sdp = response.body();
        if (sdp == null || sdp.isBlank()) {
            throw new AgentConnectException("the agent's answer is empty", new AgentFailure(
                    AgentFailure.Kind.PERMANENT, "agent_answer_unusable", true, "201 without an SDP answer",
                    "the agent endpoint does not speak the Realtime calls API: check OPENAI_REALTIME_URL"), null);
        }
        return new Created(sdp, callId);
    }

    /** The error JSON's code when it is one we know, else the HTTP status. */
    private AgentFailure failureOf(int status, String body) {
        AgentFailure byStatus = AgentFailures.fromHttpStatus(status);
        try {
            String text = body == null ? "" : body.substring(0, Math.min(body.length(), MAX_ERROR_BODY));
            JsonNode error = json.readTree(text).path("error");
            if (error.isObject()) {
                AgentFailure byBody = AgentFailures.fromError(text(error, "type"), text(error, "code"),
                        text(error, "message"), false);
                if (byBody.known()) {
                    return byBody;
                }
                return new AgentFailure(byStatus.kind(), byStatus.code(), byStatus.known(),
                        AgentFailures.clip(byStatus.detail() + ": " + byBody.detail()), byStatus.hint());
            }
        } catch (Exception e) {
            // Not JSON (a proxy's HTML page): the status alone says enough.
        }
        return byStatus;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static byte[] multipart(String boundary, String sdp, String session) {
        StringBuilder b = new StringBuilder();
        part(b, boundary, "sdp", "application/sdp", sdp);
        part(b, boundary, "session", "application/json", session);
        b.append("--").append(boundary).append("--\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void part(StringBuilder b, String boundary, String name, String type, String value) {
        b.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n")
                .append("Content-Type: ").append(type).append("\r\n\r\n")
                .append(value).append("\r\n");
    }
}
