package dev.wavoice.server.sim;

import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Meta's webhook deliveries for simulated calls: connect (carrying the caller's offer, or for a call the business
 * placed the user's answer), the status of a call the business placed, and terminate, built by
 * {@link CallWebhooks}, signed {@code X-Hub-Signature-256: sha256=HMAC(app secret,
 * raw body)}, POSTed to {@code <server>/webhook}.
 */
public final class WebhookSender {
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
        return post(CallWebhooks.connect(callId, caller(callerNumber), offerSdp, nowInSeconds()));
    }

    /** POSTs the terminate webhook (the caller hung up after {@code durationSeconds}). */
    public CompletableFuture<Integer> terminate(String callId, String callerNumber, long durationSeconds) {
        Instant end = nowInSeconds();
        return post(CallWebhooks.terminate(callId, caller(callerNumber), end.minusSeconds(durationSeconds), end));
    }

    /** POSTs a status of a call the business placed ({@code RINGING}, {@code ACCEPTED}, {@code REJECTED}). */
    public CompletableFuture<Integer> status(String callId, String userNumber, String status) {
        return post(CallWebhooks.status(callId, userNumber, status, nowInSeconds()));
    }

    /** POSTs the business-initiated connect: the user picked up, with {@code answerSdp}. */
    public CompletableFuture<Integer> answer(String callId, String userNumber, String answerSdp, String callbackData) {
        return post(CallWebhooks.answer(callId, user(userNumber), answerSdp, callbackData, nowInSeconds()));
    }

    /** POSTs the terminate of a call the business placed: the user hung up after {@code durationSeconds}. */
    public CompletableFuture<Integer> userHungUp(String callId, String userNumber, long durationSeconds) {
        Instant end = nowInSeconds();
        return post(CallWebhooks.userHungUp(callId, user(userNumber), end.minusSeconds(durationSeconds), end));
    }

    private static CallWebhooks.Caller user(String number) {
        return new CallWebhooks.Caller(number, null, "Simulated User");
    }

    private static CallWebhooks.Caller caller(String number) {
        return new CallWebhooks.Caller(number, null, "Simulated Caller");
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

    /** Whole seconds, as WhatsApp's timestamps are, so a reported duration is exactly the one asked for. */
    private static Instant nowInSeconds() {
        return Instant.ofEpochSecond(System.currentTimeMillis() / 1000);
    }
}
