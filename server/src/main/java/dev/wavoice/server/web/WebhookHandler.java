package dev.wavoice.server.web;

import dev.wavoice.server.config.Secret;
import dev.wavoice.server.whatsapp.MalformedWebhookException;
import dev.wavoice.server.whatsapp.WebhookPayload;
import dev.wavoice.server.whatsapp.WebhookProcessor;
import dev.wavoice.server.whatsapp.WebhookSignature;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import dev.wavoice.server.cluster.PeerClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /webhook} (Meta's subscription check) and {@code POST /webhook} (events). A POST is answered once
 * it is verified, parsed and its rows are written ({@link DurableWebhookAck}); answering a call goes on after the
 * 200 on another (virtual) thread, so Meta sees its 200 in milliseconds and does not redeliver.
 */
final class WebhookHandler {
    private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
    static final int MAX_BODY_BYTES = 1 << 20;

    private final WebhookSignature signature;
    private final Secret verifyToken;
    private final WebhookProcessor processor;
    private final WebhookSignature peerSignature;
    private final MeterRegistry metrics;
    private final DurableWebhookAck durable;

    WebhookHandler(Secret appSecret, Secret verifyToken, Secret clusterSecret, WebhookProcessor processor,
            DurableWebhookAck durable, MeterRegistry metrics) {
        this.durable = durable;
        this.signature = appSecret.isPresent() ? new WebhookSignature(appSecret.reveal()) : null;
        this.peerSignature = clusterSecret.isPresent() ? new WebhookSignature(clusterSecret.reveal()) : null;
        this.verifyToken = verifyToken;
        this.processor = processor;
        this.metrics = metrics;
        if (signature == null) {
            log.warn("webhook.no_app_secret WHATSAPP_APP_SECRET is not set: every webhook POST will be refused (401)");
        }
    }

    void verify(Context ctx) {
        String mode = ctx.queryParam("hub.mode");
        String token = ctx.queryParam("hub.verify_token");
        String challenge = ctx.queryParam("hub.challenge");
        boolean ok = "subscribe".equals(mode) && challenge != null && token != null && verifyToken.isPresent()
                && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                        verifyToken.reveal().getBytes(StandardCharsets.UTF_8));
        count(ok ? "verified" : "verify_refused");
        if (ok) {
            ctx.status(200).contentType("text/plain").result(challenge);
        } else {
            log.warn("webhook.verify_refused mode={} tokenConfigured={}", mode, verifyToken.isPresent());
            ctx.status(403).contentType("text/plain").result("verification refused");
        }
    }

    void receive(Context ctx) throws IOException {
        WebhookPayload payload = verifiedPayload(ctx, signature, WebhookSignature.HEADER, "missing_signature",
                "bad_signature");
        if (payload == null) {
            return;
        }
        // Routing and any hand-over to a peer happen now, the rows before the 200; answering a call goes on after it.
        WebhookProcessor.Accepted accepted = processor.accept(payload);
        if (accepted.taken()) {
            durable.await(accepted.handled());
            reply(ctx, 200, "accepted", "ok");
        } else {
            reply(ctx, 503, "not_handed_over", "the instance carrying this call did not take it; deliver again");
        }
    }

    /**
     * {@code POST /internal/webhook}: one call's events a peer instance received from Meta and routed here (this
     * instance carries the call, or has room for a new one). Signed with the cluster secret; answered once queued.
     */
    void receiveForwarded(Context ctx) throws IOException {
        WebhookPayload payload = verifiedPayload(ctx, peerSignature, PeerClient.SIGNATURE_HEADER,
                "bad_peer_signature", "bad_peer_signature");
        if (payload == null) {
            return;
        }
        WebhookProcessor.Accepted accepted = processor.acceptForwarded(payload);
        if (!accepted.taken()) {
            reply(ctx, 503, "no_room", "no room for a new call here");
            return;
        }
        durable.await(accepted.handled()); // the peer answers Meta once this answers it
        log.debug("webhook.forwarded_in from={}", ctx.header(PeerClient.FROM_HEADER));
        reply(ctx, 200, "forwarded_in", "ok");
    }

    /**
     * The body, bounded, its HMAC checked against {@code signatureHeader}, then parsed; or null once the request
     * has been answered 413, 401 or 400.
     */
    private WebhookPayload verifiedPayload(Context ctx, WebhookSignature expected, String signatureHeader,
            String missingResult, String badResult) throws IOException {
        if (ctx.req().getContentLengthLong() > MAX_BODY_BYTES) {
            reply(ctx, 413, "too_large", "body over 1 MiB");
            return null;
        }
        byte[] body = readAtMost(ctx.req().getInputStream(), MAX_BODY_BYTES);
        if (body == null) {
            reply(ctx, 413, "too_large", "body over 1 MiB");
            return null;
        }
        String header = ctx.header(signatureHeader);
        if (expected == null || !expected.verify(body, header)) {
            // Nothing from an unsigned body is parsed, stored or logged: only this counter moves.
            reply(ctx, 401, header == null ? missingResult : badResult, "invalid signature");
            return null;
        }
        try {
            return processor.parse(body);
        } catch (MalformedWebhookException e) {
            log.warn("webhook.malformed bytes={} error=\"{}\"", body.length, e.getMessage());
            reply(ctx, 400, "malformed", "malformed JSON");
            return null;
        }
    }

    private void reply(Context ctx, int status, String result, String text) {
        count(result);
        ctx.status(status).contentType("text/plain").result(text);
    }

    private void count(String result) {
        metrics.counter("wavoice.webhook.requests", "result", result).increment();
    }

    /** Reads the body, or returns null as soon as it exceeds {@code max} (chunked bodies carry no length). */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] data = in.readNBytes(max + 1);
        return data.length > max ? null : data;
    }
}
