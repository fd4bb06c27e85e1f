package dev.wavoice.bench;

import dev.wavoice.media.dtls.DtlsConfig;
import dev.wavoice.media.dtls.DtlsWarmup;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Call setup on loopback, wavoice against a plain Pion answerer in the same run, both answering Pion playing
 * WhatsApp's ICE-lite edge. A plain main rather than JMH: each call spans two or three processes and the
 * figures come partly from the Go peers' own clocks, which JMH cannot time.
 *
 * <p>Calls alternate (wavoice, Pion, wavoice, …) so that load from anything else on the machine falls on both
 * alike. Starting the peer processes is outside the measured window: each call starts its peers, waits for the
 * edge's offer, lets the processes settle, and only then starts the clock. First come {@code warmup} wavoice
 * calls that are not counted (200 unless given): a server answers thousands of calls, so its code is compiled;
 * after 10 our JIT was still compiling Bouncy Castle's handshake code and our CPU per call was twice what it
 * is after 200. Pion needs none: it is compiled ahead of time and each of its calls is a fresh process anyway.
 *
 * <p>A third argument runs that many in-memory DTLS handshakes ({@link DtlsWarmup}, what the server does at
 * startup) before the warm-up calls, to see what a JIT-warm handshake changes when few calls came first.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wavoice.bench.SetupVsPion 50 [warmup] [dtls-warmup]</pre>
 * Run it from the repository root: the Pion peer is built from {@code media/src/test/go/pionpeer}.
 */
public final class SetupVsPion {
    private static final double[] PERCENTILES = {0.50, 0.95, 0.99};

    private SetupVsPion() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int dtlsWarmup = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        PionPeer.binary(); // a cold Go build takes tens of seconds; never inside a call
        try (DtlsWarmup handshakes = DtlsWarmup.start(dtlsWarmup, DtlsConfig.defaults())) {
            handshakes.await(Duration.ofMinutes(10));
        }
        List<CallSetup> ours = new ArrayList<>();
        List<CallSetup> pion = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (WebRtcTransport transport = WebRtcTransport.open(
                WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)))) {
            WavoiceAnswerer wavoice = new WavoiceAnswerer(transport);
            PionAnswerer plainPion = new PionAnswerer();
            for (int i = 0; i < warmup; i++) {
                String id = "warmup-" + i;
                attempt(() -> wavoice.call(id), "wavoice " + id, failures);
            }
            for (int i = 0; i < calls; i++) {
                int call = i;
                attempt(() -> ours.add(wavoice.call("bench-" + call)), "wavoice " + i, failures);
                attempt(() -> pion.add(plainPion.call()), "pion " + i, failures);
            }
        }
        System.out.printf("%nCall setup on loopback, Pion as WhatsApp's ICE-lite edge; %d wavoice and %d Pion calls, "
                + "alternating, after %d in-memory DTLS handshakes and %d wavoice warm-up calls. Milliseconds, "
                + "p50 / p95 / p99 (nearest rank).%n", ours.size(), pion.size(), dtlsWarmup, warmup);
        System.out.printf("Load while it ran: %s%n", loadAverage());
        System.out.printf("Failed calls (left out of the figures): %d%s%n%n", failures.size(),
                failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures));
        System.out.printf("%-44s %-24s %-24s %s%n", "", "wavoice", "plain Pion answerer", "wavoice / Pion");
        row("offer → answer SDP (answerer)", ours, pion, CallSetup::offerToAnswer);
        row("offer → connected (answerer's view)", ours, pion, CallSetup::offerToConnected);
        row("edge: answer applied → ICE connected", ours, pion, CallSetup::edgeAppliedToIce);
        row("edge: answer applied → connected", ours, pion, CallSetup::edgeAppliedToConnected);
        row("setup: offer→answer + edge answer→connected", ours, pion, CallSetup::setup);
        row("answerer process CPU, offer → connected", ours, pion, CallSetup::answererCpu);
        row("  the same without JVM JIT, GC, VM threads", ours, pion, CallSetup::answererCpuWithoutJitGc);
    }

    private static void row(String name, List<CallSetup> ours, List<CallSetup> pion, ToDoubleFunction<CallSetup> f) {
        double[] a = sorted(ours, f);
        double[] b = sorted(pion, f);
        StringBuilder wa = new StringBuilder();
        StringBuilder pi = new StringBuilder();
        StringBuilder ratio = new StringBuilder();
        for (double p : PERCENTILES) {
            double x = Percentiles.of(a, p);
            double y = Percentiles.of(b, p);
            String sep = p == PERCENTILES[0] ? "" : " / ";
            wa.append(sep).append(String.format("%.2f", x));
            pi.append(sep).append(String.format("%.2f", y));
            ratio.append(sep).append(String.format("%.2f", x / y));
        }
        System.out.printf("%-44s %-24s %-24s %s%n", name, wa, pi, ratio);
    }

    private static double[] sorted(List<CallSetup> calls, ToDoubleFunction<CallSetup> f) {
        double[] v = calls.stream().mapToDouble(f).toArray();
        Arrays.sort(v);
        return v;
    }

    /** A call that fails is reported, not fatal: one flaky peer must not throw away the other calls' figures. */
    private static void attempt(Call call, String name, List<String> failures) throws InterruptedException {
        try {
            call.run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            String message = String.valueOf(e.getMessage());
            failures.add(name + ": " + message.lines().findFirst().orElse(message));
        }
    }

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    /** The 1, 5 and 15 minute load averages: on a shared machine they say how much the latencies are worth. */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Lets freshly started peer processes finish their start-up work before a clock starts. */
    static void settle() throws InterruptedException {
        Thread.sleep(20);
    }
}
