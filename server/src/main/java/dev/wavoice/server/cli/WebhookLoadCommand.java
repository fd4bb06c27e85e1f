package dev.wavoice.server.cli;

import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice webhook-load}: signed webhook POSTs from N concurrent clients, reporting latency percentiles and
 * throughput. Against {@code --url} (a running server with the same app secret), or an in-process server on
 * loopback when no URL is given.
 */
@Command(name = "webhook-load", mixinStandardHelpOptions = true,
        description = "Measure signed webhook POST -> 200 latency and throughput.")
public final class WebhookLoadCommand implements Callable<Integer> {

    @Option(names = "--url", description = "Base URL of a running wavoice (default: start one in this process).")
    URI url;

    @Option(names = "--app-secret", defaultValue = "${env:WHATSAPP_APP_SECRET:-load-test-secret}",
            description = "App secret the target verifies signatures with (env WHATSAPP_APP_SECRET).")
    String appSecret;

    @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds, not measured (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--rate", defaultValue = "0", description = "Requests per second in all, spread over the clients"
            + " on a fixed schedule; each latency counts from the request's scheduled time, so a stalled server is"
            + " not hidden by clients that waited (0: each client sends again as soon as it has its answer; default"
            + " ${DEFAULT-VALUE}).")
    double rate;

    @Override
    public Integer call() throws Exception {
        WavoiceServer local = null;
        Path tmp = null;
        URI target = url;
        if (target == null) {
            tmp = Files.createTempDirectory("wavoice-load");
            local = new WavoiceServer(WavoiceConfig.builder().httpHost("127.0.0.1").httpPort(0)
                    .dbUrl("jdbc:h2:file:" + tmp.resolve("db")).appSecret(appSecret).build(),
                    new CallMedia.Unavailable("webhook load test: calls are not answered")).start();
            target = URI.create("http://127.0.0.1:" + local.httpPort());
        }
        try {
            Result r = run(target.resolve("/webhook"));
            System.out.printf("webhook-load: %d clients, %s, %d s measured after %d s warm-up, target %s%n", clients,
                    rate > 0 ? String.format("%.0f req/s offered", rate) : "closed loop", seconds, warmupSeconds,
                    url == null ? "in-process" : url);
            System.out.printf("requests %d  errors %d  throughput %.0f req/s%n", r.count, r.errors, r.count / (double) seconds);
            System.out.printf("latency ms  p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n", r.pct(50), r.pct(90),
                    r.pct(99), r.pct(99.9), r.pct(100));
            return r.errors == 0 ? 0 : 1;
        } finally {
            if (local != null) {
                local.close();
            }
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private record Result(long[] sortedNanos, long count, long errors) {
        double pct(double p) {
            if (sortedNanos.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100.0 * sortedNanos.length) - 1);
            return sortedNanos[Math.max(0, i)] / 1e6;
        }
    }

    private Result run(URI webhook) throws InterruptedException {
        WebhookSignature signer = new WebhookSignature(appSecret);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long warmEnd = System.nanoTime() + warmupSeconds * 1_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        List<long[]> perClient = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[4_000_000 / clients + 1000];
            int[] n = new int[1];
            perClient.add(lat);
            counts.add(n);
            int client = c;
            long period = rate > 0 ? (long) (1e9 * clients / rate) : 0;
            long firstDue = System.nanoTime() + period * c / clients; // clients staggered over one period
            threads.add(Thread.ofVirtual().start(() -> {
                long seq = 0;
                long due = firstDue;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        return;
                    }
                    if (period > 0 && due > now) {
                        try {
                            Thread.sleep(java.time.Duration.ofNanos(due - now));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    // A distinct status event per request, so de-duplication does not short-cut the work.
                    byte[] body = statusWebhook("wacid.LOAD-" + client + "-" + seq++).getBytes(StandardCharsets.UTF_8);
                    HttpRequest req = HttpRequest.newBuilder(webhook)
                            .header("Content-Type", "application/json")
                            .header(WebhookSignature.HEADER, signer.sign(body))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    long t0 = period > 0 ? due : System.nanoTime();
                    due += period;
                    try {
                        int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                        long dt = System.nanoTime() - t0;
                        if (status != 200) {
                            errors.incrementAndGet();
                        } else if (t0 >= warmEnd && n[0] < lat.length) {
                            lat[n[0]++] = dt;
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        long total = counts.stream().mapToLong(n -> n[0]).sum();
        long[] all = new long[(int) total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(perClient.get(c), 0, all, k, counts.get(c)[0]);
            k += counts.get(c)[0];
        }
        Arrays.sort(all);
        return new Result(all, total, errors.get());
    }

    private static String statusWebhook(String id) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"200000000000002\",\"changes\":[{\"value\":"
                + "{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550001111\","
                + "\"phone_number_id\":\"110000000000001\"},\"statuses\":[{\"id\":\"" + id + "\",\"timestamp\":\""
                + System.currentTimeMillis() / 1000 + "\",\"type\":\"call\",\"status\":\"RINGING\","
                + "\"recipient_id\":\"15557654321\"}]},\"field\":\"calls\"}]}]}";
    }
}
