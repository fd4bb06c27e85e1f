package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.CallWebhooks;
import dev.wavoice.server.sim.LoadFigures.Percentiles;
import dev.wavoice.server.sim.OutboundFigures;
import dev.wavoice.server.sim.OutboundRun;
import dev.wavoice.server.sim.ServerUnderTest;
import dev.wavoice.server.sim.SimulatedWhatsApp;
import dev.wavoice.server.sim.VoiceSource;
import dev.wavoice.server.sim.LoadFigures;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code wavoice bench --outbound}: the server places N calls to simulated users, and the two goals of
 * business-initiated calls are measured over them: Graph {@code connect} sent within {@value #CONNECT_GOAL_MS} ms
 * (p99) of the API request when the server asks Graph nothing about permission first (the warm-up calls the same users,
 * and the run counts the permission checks it saw), and media connected within
 * {@value #MEDIA_GOAL_MS} ms (p99) of the answer webhook, on loopback.
 */
final class OutboundBench {
    static final double CONNECT_GOAL_MS = 10;
    static final double MEDIA_GOAL_MS = 30;
    private static final String CONNECT_DELAY_BUCKET = "wavoice_outbound_connect_delay_seconds_bucket{";
    /**
     * The users' numbers, counted up from this one. The warm-up calls the same users as the measured run, so a server
     * that keeps a user's call permission once it has asked Graph dials them all without asking again.
     */
    static final String FIRST_USER = "15560000001";

    /**
     * @param talk   how long each user talks once connected
     * @param warmup how long each warm-up call talks; zero for no warm-up
     */
    record Settings(int calls, Duration talk, double ramp, double toneHz, Duration connectTimeout, Duration warmup,
                    String adminToken) {}

    private OutboundBench() {}

    /** Runs the warm-up and the measured calls; the figures go to {@code out} and into {@code report}. */
    static OutboundFigures run(SimulatedWhatsApp whatsapp, ServerUnderTest server, Settings s, ObjectMapper mapper,
            ObjectNode report, PrintWriter out) throws InterruptedException {
        if (!s.warmup().isZero()) {
            OutboundFigures warm = OutboundRun.run(whatsapp, server.url(), plan(s, s.calls(), s.warmup())).figures();
            out.printf("warm-up: %d calls to the same users, %d passed, %d call permission checks%n", warm.calls(),
                    warm.passed(), warm.permissionChecks());
            out.flush();
        }
        HttpClient http = HttpClient.newHttpClient();
        Map<Double, Double> before = connectDelayBuckets(server, http);
        OutboundFigures f = OutboundRun.run(whatsapp, server.url(), plan(s, s.calls(), s.talk())).figures();
        out.print(f.table());
        ObjectNode goals = report.putObject("goals");
        ObjectNode connect = goals.putObject("graph_connect_after_request");
        goal(out, connect, "Graph connect after the API request", f.connectSent(), CONNECT_GOAL_MS);
        connect.put("graph_permission_checks", f.permissionChecks());
        serverConnectDelay(out, connect, before, connectDelayBuckets(server, http));
        goal(out, goals.putObject("media_connected_after_answer"), "media connected after the answer webhook",
                f.mediaConnected(), MEDIA_GOAL_MS);
        report.set("result", f.json(mapper));
        out.flush();
        return f;
    }

    private static OutboundRun.Plan plan(Settings s, int calls, Duration talk) {
        return new OutboundRun.Plan(calls, talk, Duration.ZERO, s.ramp(),
                VoiceSource.toneBursts(s.toneHz(), 1_500, 2_500, 0.3), s.connectTimeout(), FIRST_USER,
                CallWebhooks.PHONE_NUMBER_ID, null, s.adminToken(), false);
    }

    /** The server's connect-delay histogram: cumulative count by bucket upper bound (seconds). */
    private static Map<Double, Double> connectDelayBuckets(ServerUnderTest server, HttpClient http) {
        Map<Double, Double> buckets = new TreeMap<>();
        LoadFigures.series(server.metrics(http), name -> name.startsWith(CONNECT_DELAY_BUCKET))
                .forEach((name, count) -> {
                    String le = name.replaceAll(".*le=\"([^\"]+)\".*", "$1");
                    buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), count);
                });
        return buckets;
    }

    /**
     * The server's own clock for the measured calls alone (its histogram's growth over them): from the request reaching
     * it to {@code connect} going out, without this harness's two loopback HTTP hops. Bucketed, so each quantile is
     * given as the bucket it falls in ("at most").
     */
    private static void serverConnectDelay(PrintWriter out, ObjectNode into, Map<Double, Double> before,
            Map<Double, Double> after) {
        double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0)
                - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            out.println("server            request -> connect sent: no figures (the server has no such histogram)");
            return;
        }
        StringBuilder line = new StringBuilder();
        ObjectNode node = into.putObject("server_request_to_connect_sent_at_most_ms");
        for (double q : new double[] {0.5, 0.95, 0.99}) {
            for (Map.Entry<Double, Double> b : after.entrySet()) {
                if (b.getValue() - before.getOrDefault(b.getKey(), 0.0) >= q * total) {
                    double ms = b.getKey() * 1000;
                    node.put("p" + Math.round(q * 100), ms);
                    line.append(String.format(" p%d <= %s ms", Math.round(q * 100),
                            Double.isInfinite(ms) ? "inf" : String.format("%.2f", ms)));
                    break;
                }
            }
        }
        out.printf("server            request -> connect sent (its own clock, %d calls):%s%n", (long) total, line);
    }

    private static void goal(PrintWriter out, ObjectNode into, String what, Percentiles p, double goalMs) {
        boolean met = p.n() > 0 && p.p99() <= goalMs;
        into.put("goal_p99_ms", goalMs).put("n", p.n()).put("met", met);
        if (p.n() > 0) {
            into.put("p99_ms", p.p99());
        }
        out.printf("goal              %s: p99 %s ms, goal %.0f ms -> %s%n", what,
                p.n() == 0 ? "-" : String.format("%.2f", p.p99()), goalMs, met ? "met" : "NOT met");
    }
}
