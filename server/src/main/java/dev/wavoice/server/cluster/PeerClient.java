package dev.wavoice.server.cluster;

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
 * Hands a webhook to a peer instance: {@code POST <internal url>/internal/webhook}, signed with the cluster secret
 * ({@value #SIGNATURE_HEADER}, the same HMAC-SHA256 form as Meta's) so a peer takes call events only from its own
 * cluster. Short timeouts: Meta waits for our answer.
 */
public final class PeerClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
    public static final String PATH = "/internal/webhook";
    public static final String SIGNATURE_HEADER = "X-Wavoice-Forward-Signature";
    public static final String FROM_HEADER = "X-Wavoice-From";

    private final String instanceId;
    private final WebhookSignature signature;
    private final HttpClient http;
    private final Duration timeout;

    /** @param clusterSecret the shared secret, or null: then nothing is forwarded (peers would refuse it) */
    public PeerClient(String instanceId, String clusterSecret, Duration connectTimeout, Duration timeout) {
        this.instanceId = instanceId;
        this.signature = clusterSecret == null ? null : new WebhookSignature(clusterSecret);
        // HTTP/1.1 kept alive: no h2c upgrade dance on every new connection to a peer.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
        this.timeout = timeout;
    }

    /** True once the peer answered 2xx: it has the event and will handle it. */
    public boolean post(String peerUrl, String callId, byte[] body) {
        if (signature == null) {
            return false;
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(peerUrl + PATH))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, signature.sign(body))
                .header(FROM_HEADER, instanceId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status / 100 == 2) {
                return true;
            }
            log.warn("cluster.forward_refused callId={} peer={} status={}", callId, peerUrl, status);
        } catch (IOException e) {
            log.warn("cluster.forward_failed callId={} peer={} error=\"{}\"", callId, peerUrl, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public void close() {
        http.close();
    }
}
