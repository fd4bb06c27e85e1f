package dev.wavoice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.media.SelfCall;
import dev.wavoice.server.sim.CallWebhooks;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.WebhookPayload;
import dev.wavoice.server.whatsapp.WebhookProcessor;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the code of a call once and again before {@code /ready} turns true, so that the first caller after a start
 * is answered as fast as the tenth: a cold JVM took 250 ms to {@code pre_accept} and 369 ms to DTLS connected on
 * loopback where a warm one took 17 and 42. What runs: loopback self-calls through the answer path (SDP, ICE,
 * DTLS, SRTP, RTP, Opus); a signed connect webhook through signature check and parsing (in-process, so no call is
 * started and no row written); and a few signed webhooks of no call at all ({@code field=warmup}) POSTed through
 * the Graph client's own HTTP client to our own {@code /webhook}, which loads both the client (never sending to
 * Graph) and the server's webhook path. Those show in the metrics as what they are: accepted webhook requests
 * with a change of field {@code other}, no call. Bounded by {@link Limits}: when it fails or runs out of time the
 * service becomes ready anyway.
 */
public final class StartupWarmup {
    private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);

    /**
     * @param selfCalls at most this many self-calls
     * @param budget    no new self-call starts after this long
     * @param perCall   one self-call that has not connected and echoed by then has failed
     */
    record Limits(int selfCalls, Duration budget, Duration perCall) {
        /**
         * Measured (BENCHMARKS.md, cold start): after 20 self-calls the first real call's setup was within noise
         * of the tenth's; they take about two seconds of CPU on a cold JVM.
         */
        static final Limits DEFAULT = new Limits(20, Duration.ofSeconds(4), Duration.ofSeconds(3));
    }

    /** What the warm-up did, for its one log line (and tests). */
    public record Outcome(int selfCalls, double firstConnectedMs, double lastConnectedMs, int httpStatus, String failure) {}

    private final SelfCall selfCall;
    private final WebhookProcessor webhooks;
    private final GraphApiClient graph;
    private final Supplier<URI> ownUrl;
    private final Secret appSecret;
    private final Limits limits;

    StartupWarmup(SelfCall selfCall, WebhookProcessor webhooks, GraphApiClient graph, Supplier<URI> ownUrl,
            Secret appSecret, Limits limits) {
        this.appSecret = appSecret;
        this.selfCall = selfCall;
        this.webhooks = webhooks;
        this.graph = graph;
        this.ownUrl = ownUrl;
        this.limits = limits;
    }

    /** Runs on a thread of its own; the future completes (never exceptionally) when the service may be ready. */
    CompletableFuture<Outcome> start() {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("startup-warmup").start(() -> done.complete(run()));
        return done;
    }

    Outcome run() {
        long started = System.nanoTime();
        long deadline = started + limits.budget().toNanos();
        int calls = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        int status = 0;
        String failure = null;
        try {
            webhookPath();
            status = ownWebhooks();
            try (QuietMedia quiet = QuietMedia.start()) {
                while (selfCall != null && calls < limits.selfCalls() && System.nanoTime() < deadline) {
                    SelfCall.Result r = selfCall.run("warmup-" + calls, limits.perCall());
                    calls++;
                    last = r.connectedMs();
                    if (calls == 1) {
                        first = last;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (Exception e) {
            failure = e.toString();
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        Outcome outcome = new Outcome(calls, first, last, status, failure);
        if (failure == null) {
            log.info("wavoice.warmed_up ms={} selfCalls={} firstConnectedMs={} lastConnectedMs={}", ms, calls,
                    String.format("%.1f", first), String.format("%.1f", last));
        } else {
            log.warn("wavoice.warmup_failed ms={} selfCalls={} error=\"{}\" (ready anyway; the first call may be slow)",
                    ms, calls, failure);
        }
        return outcome;
    }

    /** How many webhooks of no call go through our own HTTP port: the first loads the code, the next run it. */
    private static final int OWN_WEBHOOKS = 3;

    /**
     * Webhooks with nothing for call control in them, signed with the app secret (without one they are refused
     * with a 401, which still runs most of the path), POSTed to our own port; returns the last status.
     */
    private int ownWebhooks() throws Exception {
        byte[] body = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"warmup\",\"changes\":[{\"field\":\"warmup\",\"value\":{}}]}]}"
                .getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = appSecret.isPresent()
                ? Map.of(WebhookSignature.HEADER, new WebhookSignature(appSecret.reveal()).sign(body)) : Map.of();
        int status = 0;
        for (int i = 0; i < OWN_WEBHOOKS; i++) {
            status = graph.warmUp(ownUrl.get().resolve("/webhook"), body, headers);
        }
        return status;
    }

    /**
     * A connect webhook signed, verified and parsed as {@code POST /webhook} does, down to the call event, without
     * handing it to call control. The secret is a throwaway: the real one is not needed to run the same code.
     */
    private void webhookPath() throws Exception {
        WebhookSignature signature = new WebhookSignature("warmup-" + System.nanoTime());
        ObjectMapper json = WavoiceServer.objectMapper();
        for (int i = 0; i < 50; i++) {
            byte[] body = CallWebhooks.connect("warmup-" + i, new CallWebhooks.Caller("15550000000", null, "Warm-up"),
                    "v=0\r\n", Instant.now());
            if (!signature.verify(body, signature.sign(body))) {
                throw new IllegalStateException("a webhook signed here did not verify");
            }
            WebhookPayload payload = webhooks.parse(body);
            json.treeToValue(payload.entries().getFirst().changeList().getFirst().value(),
                    WebhookPayload.CallsValue.class);
        }
    }

    /**
     * The media module logs each endpoint's ICE, DTLS and port events at INFO: fourteen lines a self-call, hundreds
     * for the warm-up, which says what it did in one line instead. Warnings still show. No real call is taken
     * meanwhile ({@code /ready} is false), so none of their lines are lost.
     */
    private record QuietMedia(ch.qos.logback.classic.Logger logger, ch.qos.logback.classic.Level before)
            implements AutoCloseable {
        static QuietMedia start() {
            if (!(LoggerFactory.getLogger("dev.wavoice.media") instanceof ch.qos.logback.classic.Logger media)) {
                return new QuietMedia(null, null);
            }
            QuietMedia quiet = new QuietMedia(media, media.getLevel());
            media.setLevel(ch.qos.logback.classic.Level.WARN);
            return quiet;
        }

        @Override
        public void close() {
            if (logger != null) {
                logger.setLevel(before);
            }
        }
    }
}
