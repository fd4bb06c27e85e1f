package dev.wavoice.bench;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.sim.GraphStandIn;
import dev.wavoice.server.sim.ServerUnderTest;
import dev.wavoice.server.sim.WebhookSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The first call after start against the calls after it, for fresh {@code wavoice serve} processes and fresh plain
 * Pion answerer processes in one run. Each wavoice start is a new JVM (echo line, embedded H2 in a temp directory,
 * the Graph stand-in of {@code wavoice bench}); Pion plays WhatsApp's ICE-lite edge for both. Timed on this JVM's
 * clock from the moment the offer leaves: for wavoice the signed connect webhook is sent, for Pion the offer is
 * written to the answerer's pipe; "answer" is when the {@code pre_accept} reaches the Graph stand-in (Pion: when
 * its answer comes out), "connected" when the edge reports ICE and DTLS up.
 *
 * <p>Configurations are interleaved start by start, so load from elsewhere falls on all alike; one unmeasured start
 * comes first so that this harness's own HTTP client and Graph stand-in are warm.
 *
 * <pre>java -cp bench/target/benchmarks.jar [-Dwavoice.serverClassPath=server/target/wavoice.jar] \
 *     dev.wavoice.bench.FirstCallVsPion STARTS WARM_CALLS [name=WARMUP[,jvm-option...]]...</pre>
 * e.g. {@code 5 10 warmup=true no-warmup=false aot=true,-XX:AOTCache=server/target/wavoice.aot} (the default is
 * the first two). Run from the repository root: the Pion peer is built from {@code media/src/test/go/pionpeer}.
 */
public final class FirstCallVsPion {
    private static final Duration T = Duration.ofSeconds(15);
    private static final String SECRET = "first-call-secret";

    private record Config(String name, boolean warmup, List<String> jvmOptions) {
        static Config parse(String spec) {
            String[] nameRest = spec.split("=", 2);
            String[] parts = nameRest[1].split(",");
            return new Config(nameRest[0], Boolean.parseBoolean(parts[0]),
                    List.of(Arrays.copyOfRange(parts, 1, parts.length)));
        }
    }

    /** One call: milliseconds from offer sent to answer out, and to connected. */
    private record Setup(double answerMs, double connectedMs) {}

    /** What one configuration gathered over its starts. */
    private static final class Figures {
        final List<Double> readyMs = new ArrayList<>();
        final List<Setup> first = new ArrayList<>();
        final List<Setup> warm = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
    }

    private FirstCallVsPion() {
    }

    public static void main(String[] args) throws Exception {
        int starts = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int warmCalls = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        List<Config> configs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            configs.add(Config.parse(args[i]));
        }
        if (configs.isEmpty()) {
            configs.add(Config.parse("warmup=true"));
            configs.add(Config.parse("no-warmup=false"));
        }
        PionPeer.binary(); // a cold Go build takes tens of seconds; never inside a call
        String loadBefore = SetupVsPion.loadAverage();
        Map<String, Figures> figures = new LinkedHashMap<>();
        configs.forEach(c -> figures.put(c.name(), new Figures()));
        Figures pion = new Figures();
        try (GraphStandIn graph = GraphStandIn.start(0);
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            start(configs.getFirst(), 2, graph, http, new Figures()); // warms this harness, not measured
            for (int s = 0; s < starts; s++) {
                for (Config c : configs) {
                    start(c, warmCalls, graph, http, figures.get(c.name()));
                }
                for (int i = 0; i <= warmCalls; i++) {
                    try {
                        (i == 0 ? pion.first : pion.warm).add(pionCall());
                    } catch (Exception e) {
                        pion.failures.add("pion: " + e.getMessage());
                    }
                }
            }
        }
        System.out.printf("%nFirst call after start vs the %d after it, %d fresh starts per configuration, interleaved;"
                + " Pion as WhatsApp's ICE-lite edge.%nLoad before: %s   after: %s%n", warmCalls, starts, loadBefore,
                SetupVsPion.loadAverage());
        System.out.println("Milliseconds, median (min-max over starts for the first call; p50 / p95 for warm calls).");
        System.out.printf("%n%-22s %-14s %-26s %-26s %-16s %-16s%n", "", "start→/ready", "first: →answer",
                "first: →connected", "warm: →answer", "warm: →connected");
        for (Map.Entry<String, Figures> e : figures.entrySet()) {
            print(e.getKey(), e.getValue());
        }
        print("plain Pion answerer", pion);
        System.out.printf("%nRatios to Pion (medians): %-10s %-12s %-12s %-12s %-12s%n", "", "first ans", "first conn",
                "warm ans", "warm conn");
        for (Map.Entry<String, Figures> e : figures.entrySet()) {
            Figures f = e.getValue();
            System.out.printf("  %-32s %-12.2f %-12.2f %-12.2f %-12.2f%n", e.getKey(),
                    median(f.first, Setup::answerMs) / median(pion.first, Setup::answerMs),
                    median(f.first, Setup::connectedMs) / median(pion.first, Setup::connectedMs),
                    median(f.warm, Setup::answerMs) / median(pion.warm, Setup::answerMs),
                    median(f.warm, Setup::connectedMs) / median(pion.warm, Setup::connectedMs));
        }
        figures.forEach((name, f) -> f.failures.forEach(m -> System.out.println("failed: " + name + ": " + m)));
        pion.failures.forEach(m -> System.out.println("failed: " + m));
    }

    /** A fresh server: time to /ready, its first call, then {@code warmCalls} more, one at a time. */
    private static void start(Config c, int warmCalls, GraphStandIn graph, HttpClient http, Figures into) {
        long launched = System.nanoTime();
        try (ServerUnderTest server = ServerUnderTest.launch("echo", graph.url(), SECRET, 4, c.jvmOptions(),
                Map.of("WAVOICE_WARMUP", Boolean.toString(c.warmup())), null)) {
            if (System.getProperty("firstcall.logs") != null) { // the servers' logs, to see where a first call's time goes
                server.keepLogIn(java.nio.file.Path.of(System.getProperty("firstcall.logs")),
                        c.name() + "-" + launched);
            }
            awaitReady(server, http);
            into.readyMs.add((System.nanoTime() - launched) / 1e6);
            WebhookSender webhooks = new WebhookSender(server.url(), SECRET, http);
            for (int i = 0; i <= warmCalls; i++) {
                String callId = "wacid.FIRST-" + System.nanoTime();
                try {
                    (i == 0 ? into.first : into.warm).add(wavoiceCall(callId, graph, webhooks, server, http));
                } catch (Exception e) {
                    into.failures.add(callId + ": " + e);
                }
            }
        } catch (Exception e) {
            into.failures.add("start: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static Setup wavoiceCall(String callId, GraphStandIn graph, WebhookSender webhooks,
            ServerUnderTest server, HttpClient http) throws Exception {
        CompletableFuture<GraphStandIn.Action> preAccept = new CompletableFuture<>();
        graph.register(callId, a -> {
            if (a.action().equals("pre_accept")) {
                preAccept.complete(a);
            }
        });
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge())) {
            String offer = edge.offer(T);
            SetupVsPion.settle();
            long t0 = System.nanoTime();
            webhooks.connect(callId, "15550009999", offer);
            GraphStandIn.Action answer = preAccept.get(T.toMillis(), TimeUnit.MILLISECONDS);
            edge.sendAnswer(answer.sdp());
            edge.awaitConnected(T);
            long connected = System.nanoTime();
            webhooks.terminate(callId, "15550009999", 0).get(T.toMillis(), TimeUnit.MILLISECONDS);
            awaitNoCalls(server, http);
            return new Setup((answer.receivedNanos() - t0) / 1e6, (connected - t0) / 1e6);
        } finally {
            graph.unregister(callId);
        }
    }

    /** A fresh plain Pion answerer process, timed on this clock as the wavoice calls are. */
    private static Setup pionCall() throws Exception {
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge());
             PionPeer answerer = PionPeer.start(PionPeer.Options.answerer())) {
            String offer = edge.offer(T);
            SetupVsPion.settle();
            long t0 = System.nanoTime();
            answerer.sendOffer(offer);
            String answer = answerer.answer(T);
            long answered = System.nanoTime();
            edge.sendAnswer(answer);
            edge.awaitConnected(T);
            long connected = System.nanoTime();
            return new Setup((answered - t0) / 1e6, (connected - t0) / 1e6);
        }
    }

    private static void awaitReady(ServerUnderTest server, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.alive()) {
                throw new IllegalStateException("server exited: " + server.tail());
            }
            try {
                if (ready(server, http).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the port is not open yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not ready within 60 s");
    }

    /** The next call must not overlap this one's ending: wait until the server counts no call. */
    private static void awaitNoCalls(ServerUnderTest server, HttpClient http) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (System.nanoTime() < deadline && !ready(server, http).body().contains("\"activeCalls\":0")) {
            Thread.sleep(10);
        }
    }

    private static HttpResponse<String> ready(ServerUnderTest server, HttpClient http) throws Exception {
        return http.send(HttpRequest.newBuilder(server.url().resolve("/ready")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void print(String name, Figures f) {
        String ready = f.readyMs.isEmpty() ? "-" : String.format("%.0f", median(f.readyMs));
        System.out.printf("%-22s %-14s %-26s %-26s %-16s %-16s%n", name, ready, spread(f.first, Setup::answerMs),
                spread(f.first, Setup::connectedMs), p50p95(f.warm, Setup::answerMs),
                p50p95(f.warm, Setup::connectedMs));
    }

    private static String spread(List<Setup> calls, java.util.function.ToDoubleFunction<Setup> f) {
        double[] v = calls.stream().mapToDouble(f).sorted().toArray();
        return v.length == 0 ? "-" : String.format("%.1f (%.1f-%.1f)", Percentiles.of(v, 0.5), v[0], v[v.length - 1]);
    }

    private static String p50p95(List<Setup> calls, java.util.function.ToDoubleFunction<Setup> f) {
        double[] v = calls.stream().mapToDouble(f).sorted().toArray();
        return v.length == 0 ? "-" : String.format("%.1f / %.1f", Percentiles.of(v, 0.5), Percentiles.of(v, 0.95));
    }

    private static double median(List<Setup> calls, java.util.function.ToDoubleFunction<Setup> f) {
        double[] v = calls.stream().mapToDouble(f).sorted().toArray();
        return v.length == 0 ? Double.NaN : Percentiles.of(v, 0.5);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return Percentiles.of(v, 0.5);
    }
}
