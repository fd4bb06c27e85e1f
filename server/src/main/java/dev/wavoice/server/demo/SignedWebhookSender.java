package dev.wavoice.server.demo;

import dev.wavoice.server.whatsapp.WebhookSignature;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the simulated Meta talks to the service and checks what the service says back: webhooks POSTed to the
 * service's {@code /webhook}, signed with the app secret as Meta signs them ({@code X-Hub-Signature-256}), and the
 * bearer token every Graph request must carry.
 */
final class SignedWebhookSender {
    private static final Logger log = LoggerFactory.getLogger(SignedWebhookSender.class);

    private final URI webhookUrl;
    private final WebhookSignature signature;
    private final byte[] accessToken;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(3)).build();

    SignedWebhookSender(URI webhookUrl, String appSecret, String accessToken) {
        this.webhookUrl = webhookUrl;
        this.signature = new WebhookSignature(appSecret);
        this.accessToken = accessToken.getBytes(StandardCharsets.UTF_8);
    }

    /** POSTs one signed webhook; the service's HTTP status, or 0 when it could not be reached. */
    int post(String callId, String event, byte[] body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(webhookUrl)
                .timeout(java.time.Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            log.info("demo.webhook_sent callId={} event={} status={}", callId, event, status);
            return status;
        } catch (IOException e) {
            log.warn("demo.webhook_failed callId={} event={} error=\"{}\"", callId, event, e.toString());
            return 0;
        }
    }

    /** Whether a Graph request carries the access token (constant-time compare); answers Meta's 401 when not. */
    boolean authorized(Context ctx) {
        String header = ctx.header("Authorization");
        byte[] presented = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (MessageDigest.isEqual(presented, accessToken)) {
            return true;
        }
        graphError(ctx, 401, 190, "Invalid OAuth access token.");
        return false;
    }

    /** Graph's error envelope. */
    static void graphError(Context ctx, int status, int code, String message) {
        ctx.status(status).json(Map.of("error", Map.of("message", message, "type", "OAuthException", "code", code)));
    }
}
