package dev.wavoice.server.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.config.Secret;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WhatsApp Cloud API requests (call actions, the call permission check, messages) over the JDK {@link HttpClient}. Blocking by design: callers run on virtual
 * threads. Retries 5xx, 429 and I/O failures with jittered backoff; never retries other 4xx. The access token
 * goes into the Authorization header and nowhere else: no log line or exception message carries it.
 */
public final class GraphApiClient {
    private static final Logger log = LoggerFactory.getLogger(GraphApiClient.class);

    private final HttpClient http;
    private final ObjectMapper json;
    private final URI baseUrl;
    private final String version;
    private final Secret accessToken;
    private final Duration requestTimeout;
    private final RetryPolicy retry;
    private final MeterRegistry metrics;

    public GraphApiClient(URI baseUrl, String version, Secret accessToken, Duration connectTimeout,
            Duration requestTimeout, RetryPolicy retry, ObjectMapper json, MeterRegistry metrics) {
        this.baseUrl = Objects.requireNonNull(baseUrl);
        this.version = Objects.requireNonNull(version);
        this.accessToken = Objects.requireNonNull(accessToken);
        this.requestTimeout = requestTimeout;
        this.retry = retry;
        this.json = json;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public void preAccept(String phoneNumberId, String callId, String answerSdp) throws GraphApiException {
        send(phoneNumberId, GraphCallAction.PRE_ACCEPT, withSession(base(GraphCallAction.PRE_ACCEPT, callId), "answer", answerSdp));
    }

    public void accept(String phoneNumberId, String callId, String answerSdp) throws GraphApiException {
        send(phoneNumberId, GraphCallAction.ACCEPT, withSession(base(GraphCallAction.ACCEPT, callId), "answer", answerSdp));
    }

    public void reject(String phoneNumberId, String callId) throws GraphApiException {
        send(phoneNumberId, GraphCallAction.REJECT, base(GraphCallAction.REJECT, callId));
    }

    public void terminate(String phoneNumberId, String callId) throws GraphApiException {
        send(phoneNumberId, GraphCallAction.TERMINATE, base(GraphCallAction.TERMINATE, callId));
    }

    /**
     * Starts a business-initiated call to {@code to} (a phone number or a BSUID) and returns the new call id.
     */
    public String connect(String phoneNumberId, String to, String offerSdp, String bizOpaqueCallbackData)
            throws GraphApiException {
        ObjectNode body = json.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("to", to);
        body.put("action", GraphCallAction.CONNECT.wireName());
        withSession(body, "offer", offerSdp);
        if (bizOpaqueCallbackData != null) {
            body.put("biz_opaque_callback_data", bizOpaqueCallbackData);
        }
        return newCallId(send(phoneNumberId, GraphCallAction.CONNECT, body));
    }

    /** The id of the call a {@code connect} started, from Graph's success response. */
    static String newCallId(JsonNode answer) throws GraphApiException {
        JsonNode id = answer.path("calls").path(0).path("id");
        if (!id.isTextual()) {
            throw new GraphApiException("connect", 200, null, null, null,
                    "success response without calls[0].id", null, 1, null);
        }
        return id.asText();
    }

    private ObjectNode base(GraphCallAction action, String callId) {
        ObjectNode body = json.createObjectNode();
        body.put("messaging_product", "whatsapp");
        body.put("call_id", callId);
        body.put("action", action.wireName());
        return body;
    }

    private static ObjectNode withSession(ObjectNode body, String sdpType, String sdp) {
        ObjectNode session = body.putObject("session");
        session.put("sdp_type", sdpType);
        session.put("sdp", sdp);
        return body;
    }

    private JsonNode send(String phoneNumberId, GraphCallAction action, ObjectNode body) throws GraphApiException {
        String name = action.wireName();
        ready(name, phoneNumberId);
        return exchange(name, action.idempotent(), post(edgeUri(phoneNumberId, "calls"), body),
                "callId=" + body.path("call_id").asText(null));
    }

    /**
     * {@code GET /<PHONE_NUMBER_ID>/call_permissions} for one user: a phone number goes in {@code user_wa_id}, a
     * business-scoped user id (BSUID, e.g. {@code US.13491208655302741918}) in {@code recipient}. Returns Meta's
     * answer as it came ({@code permission}, {@code actions[]}); parsing it is the caller's business.
     */
    public JsonNode callPermissions(String phoneNumberId, String user) throws GraphApiException {
        String name = "call_permissions";
        ready(name, phoneNumberId);
        if (user == null || user.isBlank()) {
            throw new GraphApiException(name, 0, null, null, null, "no user (phone number or BSUID) to ask about", null, 0,
                    null);
        }
        String query = (isBsuid(user) ? "recipient=" : "user_wa_id=") + URLEncoder.encode(user.trim(), StandardCharsets.UTF_8);
        HttpRequest request = authorized(edgeUri(phoneNumberId, "call_permissions?" + query)).GET().build();
        return exchange(name, true, request, "user=" + user);
    }

    /**
     * {@code POST /<PHONE_NUMBER_ID>/messages} with a ready-made message body; returns the id Meta gave the message
     * ({@code messages[0].id}). {@code kind} names the message in metrics and logs (e.g. {@code call_permission_request}).
     */
    public String sendMessage(String phoneNumberId, String kind, ObjectNode body) throws GraphApiException {
        String name = "messages." + kind;
        ready(name, phoneNumberId);
        // Not repeated after an unknown outcome: the user would get the message twice.
        JsonNode answer = exchange(name, false, post(edgeUri(phoneNumberId, "messages"), body),
                "to=" + body.path("to").asText(null));
        JsonNode id = answer.path("messages").path(0).path("id");
        if (!id.isTextual()) {
            throw new GraphApiException(name, 200, null, null, null, "success response without messages[0].id", null, 1,
                    null);
        }
        return id.asText();
    }

    /**
     * A BSUID is a country code, a dot and digits ({@code US.134…}, or {@code US.ENT.…} for a parent id); a phone
     * number is digits, perhaps with a leading + or spaces.
     */
    public static boolean isBsuid(String user) {
        return user != null && user.chars().anyMatch(Character::isLetter);
    }

    private void ready(String name, String phoneNumberId) throws GraphApiException {
        if (phoneNumberId == null || phoneNumberId.isBlank()) {
            throw new GraphApiException(name, 0, null, null, null,
                    "no phone number id (webhook metadata lacked it and WHATSAPP_PHONE_NUMBER_ID is unset)", null, 0, null);
        }
        if (!accessToken.isPresent()) {
            throw new GraphApiException(name, 0, null, null, null, "WHATSAPP_ACCESS_TOKEN is not set", null, 0, null);
        }
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + accessToken.reveal());
    }

    private HttpRequest post(URI uri, ObjectNode body) {
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return authorized(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
    }

    /**
     * Sends one request with this client's retry policy: 5xx, 429 and I/O failures are retried with jittered
     * backoff (honouring Retry-After up to the policy's longest delay); other 4xx are not. A request that is not
     * {@code idempotent} is retried only when it certainly was not acted on (connection refused, connect timeout,
     * 429). {@code subject} says in the logs what the request was about (a call id, a user).
     */
    private JsonNode exchange(String name, boolean idempotent, HttpRequest request, String subject)
            throws GraphApiException {
        for (int attempt = 1; ; attempt++) {
            long start = System.nanoTime();
            String outcome;
            GraphApiException failure;
            Duration retryAfter = null;
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    record(name, "ok", start);
                    log.info("graph.{} ok {} status={} attempt={}", name, subject, status, attempt);
                    return parseOrEmpty(response.body());
                }
                outcome = status == 429 ? "http_429" : "http_" + (status / 100) + "xx";
                failure = errorFrom(name, status, response.body(), attempt);
                if (!RetryPolicy.retryableStatus(status) || (!idempotent && status != 429)) {
                    record(name, outcome, start);
                    log.warn("graph.{} failed {} status={} error=\"{}\" retry=no", name, subject, status,
                            failure.getMessage());
                    throw failure;
                }
                retryAfter = response.headers().firstValue("Retry-After").map(GraphApiClient::parseRetryAfter).orElse(null);
            } catch (HttpTimeoutException e) {
                outcome = "timeout";
                failure = new GraphApiException(name, 0, null, null, null, "timed out: " + e.getMessage(), null, attempt, e);
                if (!idempotent && !(e instanceof HttpConnectTimeoutException)) {
                    record(name, outcome, start);
                    throw failure; // it may have been done (a call placed, a message sent): a retry would do it twice
                }
            } catch (IOException e) {
                outcome = "io_error";
                failure = new GraphApiException(name, 0, null, null, null, e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, attempt, e);
                if (!idempotent && !(e instanceof ConnectException)) {
                    record(name, outcome, start);
                    throw failure; // the request may have reached Graph
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GraphApiException(name, 0, null, null, null, "interrupted", null, attempt, e);
            }
            record(name, outcome, start);
            if (attempt >= retry.maxAttempts()) {
                log.warn("graph.{} failed {} outcome={} attempts={} error=\"{}\" retry=exhausted", name,
                        subject, outcome, attempt, failure.getMessage());
                throw failure;
            }
            Duration delay = retry.delayAfter(attempt);
            if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
                delay = retryAfter.compareTo(retry.maxDelay()) > 0 ? retry.maxDelay() : retryAfter;
            }
            log.info("graph.{} retry {} outcome={} attempt={} delayMs={}", name, subject, outcome, attempt,
                    delay.toMillis());
            metrics.counter("wavoice.graph.retries", "action", name).increment();
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
        }
    }

    /**
     * POSTs {@code jsonBody} with {@code headers} through this client's own {@link HttpClient} to {@code target}
     * (the service's own HTTP port on loopback) and returns the status, so that the client's code and threads are
     * loaded before the first {@code pre_accept}, which once took 320 ms from a cold JVM. Graph is never
     * contacted, and no token is sent.
     */
    public int warmUp(URI target, byte[] jsonBody, Map<String, String> headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonBody));
        headers.forEach(request::header);
        HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        parseOrEmpty(response.body());
        return response.statusCode();
    }

    private URI edgeUri(String phoneNumberId, String edge) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + version + "/" + phoneNumberId + "/" + edge);
    }

    private void record(String action, String outcome, long startNanos) {
        Timer.builder("wavoice.graph.request")
                .description("Graph API requests (call actions, permission checks, messages), one per HTTP attempt")
                .tag("action", action)
                .tag("outcome", outcome)
                .register(metrics)
                .record(Duration.ofNanos(System.nanoTime() - startNanos));
    }

    /** A response body as JSON; an empty object when it is empty or not JSON (a proxy's HTML error page). */
    JsonNode parseOrEmpty(byte[] body) {
        try {
            return body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    GraphApiException errorFrom(String action, int status, byte[] body, int attempt) {
        JsonNode error = parseOrEmpty(body).path("error");
        Integer code = error.path("code").isNumber() ? error.path("code").asInt() : null;
        Integer subcode = error.path("error_subcode").isNumber() ? error.path("error_subcode").asInt() : null;
        String message = error.path("message").asText(null);
        if (message == null && body.length > 0) {
            message = "non-Graph error body (" + body.length + " bytes)";
        }
        return new GraphApiException(action, status, code, subcode, error.path("type").asText(null), message,
                error.path("fbtrace_id").asText(null), attempt, null);
    }

    static Duration parseRetryAfter(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
