package dev.wavoice.server.sim;

import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * Badly signed webhook POSTs at a fixed rate to a server's webhook path, as someone who knows the URL but not the
 * app secret would send them: each a well-formed connect event for a call of its own, so one that got through would
 * create a call (and reach the Graph stand-in). Four kinds in turn: signed with another secret, unsigned, a
 * malformed signature header, and a correct signature over a body altered afterwards. Every answer is counted;
 * all of them must be 401 or 403.
 */
public final class WebhookFlood implements AutoCloseable {
    /** Requests in flight at most: past that the server is not answering, and more would only queue here. */
    static final int MAX_IN_FLIGHT = 512;
    /** The call ids of the flood's events; the Graph stand-in counts any action on one. */
    public static final String CALL_ID_PREFIX = "wacid.FLOOD-";
    private static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 127.0.0.1\r\na=rtpmap:111 opus/48000/2\r\n";

    /**
     * What the flood saw.
     *
     * @param refused   answered 401 or 403, as every one must be
     * @param otherStatus answered anything else (a hole: the server took an unsigned event)
     * @param failed    no answer (timeout, connection refused)
     * @param heldBack  due while {@value #MAX_IN_FLIGHT} were already in flight (the server not answering fast
     *                  enough, or this client not reading the answers)
     * @param behind    due while the sender was over a second behind the rate (this process starved of CPU)
     */
    public record Result(double ratePerSecond, double seconds, long sent, long refused, long otherStatus, long failed,
                         long heldBack, long behind) {
        public boolean allRefused() {
            return sent > 0 && refused == sent;
        }
    }

    private final double rate;
    private final URI webhook;
    private final WebhookSignature wrongSecret = new WebhookSignature("not-the-app-secret");
    private final WebhookSignature rightSecret;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final LongAdder refused = new LongAdder();
    private final LongAdder otherStatus = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder full = new LongAdder();
    private final String runId = Long.toHexString(System.nanoTime());
    private final PacedSender sender;

    /** {@code appSecret} signs only the bodies altered after signing, never one that is sent as signed. */
    public WebhookFlood(URI serverUrl, String appSecret, double ratePerSecond) {
        this.rate = ratePerSecond;
        this.webhook = serverUrl.resolve("/webhook");
        this.rightSecret = new WebhookSignature(appSecret);
        this.sender = new PacedSender("flood-webhooks", ratePerSecond, this::post);
    }

    public WebhookFlood start() {
        sender.start();
        return this;
    }

    private void post(long n) {
        if (!inFlight.tryAcquire()) {
            full.increment();
            return;
        }
        byte[] body = CallWebhooks.connect(CALL_ID_PREFIX + runId + "-" + n,
                new CallWebhooks.Caller("1666" + String.format("%07d", n % 10_000_000), null, "Flood"), OFFER,
                Instant.ofEpochSecond(System.currentTimeMillis() / 1000));
        HttpRequest.Builder request = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json");
        switch ((int) (n % 4)) {
            case 0 -> request.header(WebhookSignature.HEADER, wrongSecret.sign(body));
            case 1 -> { } // no signature at all
            case 2 -> request.header(WebhookSignature.HEADER, "sha256=" + "zz".repeat(32));
            default -> {
                String signature = rightSecret.sign(body);
                body = (new String(body, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
                request.header(WebhookSignature.HEADER, signature);
            }
        }
        http.sendAsync(request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    if (error != null) {
                        failed.increment();
                    } else if (response.statusCode() == 401 || response.statusCode() == 403) {
                        refused.increment();
                    } else {
                        otherStatus.increment();
                    }
                    inFlight.release(); // after counting: stop() reads the counts once every permit is back
                });
    }

    /** Stops sending, waits up to 10 s for the answers in flight, and reports. */
    public Result stop() {
        sender.close();
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, 10, java.util.concurrent.TimeUnit.SECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(rate, sender.seconds(), sender.sent() - full.sum(), refused.sum(), otherStatus.sum(),
                failed.sum(), full.sum(), sender.missed());
    }

    @Override
    public void close() {
        sender.close();
        http.close();
    }
}
