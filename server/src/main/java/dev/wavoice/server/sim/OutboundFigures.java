package dev.wavoice.server.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.LoadFigures.Percentiles;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The figures of an {@link OutboundRun}: the two setup goals of business-initiated calls, Graph {@code connect} sent
 * after the API request and media connected after the answer webhook, with the steps around them, over every call
 * that reached each step.
 *
 * @param connectSent    {@code POST /api/calls} sent → Graph {@code connect} received
 * @param apiAnswered    {@code POST /api/calls} sent → the API's 201 received (Graph's answer included)
 * @param mediaConnected answer webhook sent → ICE + DTLS connected at the user
 * @param firstAudio     answer webhook sent → first audio packet back
 * @param firstVoiced    answer webhook sent → first voiced packet back (the agent heard)
 * @param permissionChecks call permission checks the server sent Graph during the run: when there were any, some
 *                       connects waited for one, and {@code connectSent} is not the figure without a round trip
 */
public record OutboundFigures(int calls, int passed, List<String> failures, Percentiles connectSent,
                              Percentiles apiAnswered, Percentiles mediaConnected, Percentiles firstAudio,
                              Percentiles firstVoiced, long packetsSent, long packetsReceived, long packetsLost,
                              double elapsedSeconds, long permissionChecks) {

    static OutboundFigures of(List<OutboundCallResult> calls, double elapsedSeconds, long permissionChecks) {
        List<String> failures = calls.stream().filter(c -> !c.verdict().pass())
                .map(c -> c.to() + ": " + c.verdict().reason()).toList();
        return new OutboundFigures(calls.size(), calls.size() - failures.size(), failures,
                of(calls, OutboundCallResult::connectSentMillis), of(calls, OutboundCallResult::apiAnsweredMillis),
                of(calls, c -> c.media().connectedMillis()), of(calls, c -> c.media().firstAudioMillis()),
                of(calls, c -> c.media().firstVoicedMillis()),
                calls.stream().mapToLong(c -> c.media().packetsSent()).sum(),
                calls.stream().mapToLong(c -> c.media().packetsReceived()).sum(),
                calls.stream().mapToLong(c -> c.media().packetsLost()).sum(), elapsedSeconds, permissionChecks);
    }

    private static Percentiles of(List<OutboundCallResult> calls, ToDoubleFunction<OutboundCallResult> step) {
        return Percentiles.of(calls.stream().mapToDouble(step));
    }

    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format("calls             %d placed, %d passed, %d failed in %.1f s%n", calls, passed,
                failures.size(), elapsedSeconds));
        b.append(String.format("%-42s %8s %8s %8s %8s %5s%n", "setup (ms)", "p50", "p95", "p99", "max", "n"));
        row(b, "POST /api/calls -> Graph connect received", connectSent);
        row(b, "POST /api/calls -> 201 received", apiAnswered);
        row(b, "answer webhook -> ICE+DTLS connected", mediaConnected);
        row(b, "answer webhook -> first audio back", firstAudio);
        row(b, "answer webhook -> first voiced audio back", firstVoiced);
        long expected = packetsReceived + packetsLost;
        b.append(String.format("audio             sent %d, received %d, lost %d (%.2f %%)%n", packetsSent,
                packetsReceived, packetsLost, expected == 0 ? 0 : 100.0 * packetsLost / expected));
        b.append(String.format("graph             %d call permission checks during the calls%s%n", permissionChecks,
                permissionChecks == 0 ? " (no round trip before any connect)" : ""));
        failures.stream().limit(10).forEach(f -> b.append("failed            ").append(f).append('\n'));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, Percentiles p) {
        b.append(String.format("%-42s %8s %8s %8s %8s %5d%n", name, ms(p.p50()), ms(p.p95()), ms(p.p99()),
                ms(p.max()), p.n()));
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2f", v);
    }

    public ObjectNode json(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("calls", calls).put("passed", passed).put("failed", failures.size()).put("elapsed_seconds", elapsedSeconds)
                .put("graph_permission_checks", permissionChecks);
        n.putArray("failures").addAll(failures.stream().map(n::textNode).toList());
        ObjectNode setup = n.putObject("setup_ms");
        percentiles(setup.putObject("graph_connect_after_request"), connectSent);
        percentiles(setup.putObject("api_answered"), apiAnswered);
        percentiles(setup.putObject("media_connected_after_answer"), mediaConnected);
        percentiles(setup.putObject("first_audio_back"), firstAudio);
        percentiles(setup.putObject("first_voiced_back"), firstVoiced);
        n.putObject("audio").put("packets_sent", packetsSent).put("packets_received", packetsReceived)
                .put("packets_lost", packetsLost);
        return n;
    }

    private static void percentiles(ObjectNode into, Percentiles p) {
        into.put("n", p.n());
        if (p.n() > 0) {
            into.put("p50", p.p50()).put("p95", p.p95()).put("p99", p.p99()).put("max", p.max());
        }
    }
}
