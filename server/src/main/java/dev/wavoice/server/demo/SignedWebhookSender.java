package dev.wavoice.server.demo;

import dev.wavoice.server.whatsapp.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the simulated Meta reaches the service: webhooks POSTed to the service's own {@code /webhook}, signed with the
 * app secret as Meta signs them ({@code X-Hub-Signature-256}), so they pass the real signature check.
 */
final class SignedWebhookSender {
    private static final Logger log = LoggerFactory.getLogger(SignedWebhookSender.class);

    private final URI webhookUrl;
    private final WebhookSignature signature;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    SignedWebhookSender(URI webhookUrl, String appSecret) {
        this.webhookUrl = webhookUrl;
        this.signature = new WebhookSignature(appSecret);
    }

    /** POSTs one signed webhook; the service's HTTP status, or 0 when it could not be reached. */
    int post(String callId, String event, byte[] body) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(webhookUrl)
                .timeout(Duration.ofSeconds(5))
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
}
