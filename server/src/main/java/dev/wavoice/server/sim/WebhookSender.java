package dev.wavoice.server.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Meta's webhook deliveries for simulated calls: connect (carrying the caller's offer) and terminate, shaped as
 * the fixtures in {@code shared/fixtures/whatsapp/}, signed {@code X-Hub-Signature-256: sha256=HMAC(app secret,
 * raw body)}, POSTed to {@code <server>/webhook}.
 */
public final class WebhookSender {
    /** The business account and number the simulated calls are placed to. */
    public static final String WABA_ID = "200000000000002";
    public static final String PHONE_NUMBER_ID = "110000000000001";
    public static final String BUSINESS_NUMBER = "15550001111";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI webhook;
    private final WebhookSignature signature;
    private final HttpClient http;

    public WebhookSender(URI serverUrl, String appSecret, HttpClient http) {
        this.webhook = serverUrl.resolve("/webhook");
        this.signature = new WebhookSignature(appSecret);
        this.http = http;
    }

    /** POSTs the connect webhook; completes with the HTTP status. */
    public CompletableFuture<Integer> connect(String callId, String callerNumber, String offerSdp) {
        ObjectNode call = JSON.createObjectNode();
        call.put("id", callId).put("from", callerNumber).put("to", BUSINESS_NUMBER).put("event", "connect")
                .put("timestamp", epochSeconds()).put("direction", "USER_INITIATED");
        call.putObject("session").put("sdp_type", "offer").put("sdp", offerSdp);
        ObjectNode value = value();
        ObjectNode contact = value.putArray("contacts").addObject();
        contact.putObject("profile").put("name", "Simulated Caller");
        contact.put("wa_id", callerNumber);
        value.putArray("calls").add(call);
        return post(envelope(value));
    }

    /** POSTs the terminate webhook (the caller hung up after {@code durationSeconds}). */
    public CompletableFuture<Integer> terminate(String callId, String callerNumber, long durationSeconds) {
        long end = System.currentTimeMillis() / 1000;
        ObjectNode call = JSON.createObjectNode();
        call.put("id", callId).put("from", callerNumber).put("to", BUSINESS_NUMBER).put("event", "terminate")
                .put("timestamp", Long.toString(end)).put("direction", "USER_INITIATED").put("status", "COMPLETED")
                .put("start_time", Long.toString(end - durationSeconds)).put("end_time", Long.toString(end))
                .put("duration", durationSeconds);
        ObjectNode value = value();
        value.putArray("calls").add(call);
        return post(envelope(value));
    }

    private static ObjectNode value() {
        ObjectNode value = JSON.createObjectNode();
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", BUSINESS_NUMBER).put("phone_number_id", PHONE_NUMBER_ID);
        return value;
    }

    private static byte[] envelope(ObjectNode value) {
        ObjectNode root = JSON.createObjectNode();
        root.put("object", "whatsapp_business_account");
        ObjectNode entry = root.putArray("entry").addObject();
        entry.put("id", WABA_ID);
        ObjectNode change = entry.putArray("changes").addObject();
        change.set("value", value);
        change.put("field", "calls");
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CompletableFuture<Integer> post(byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(webhook)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
    }

    private static String epochSeconds() {
        return Long.toString(System.currentTimeMillis() / 1000);
    }
}
