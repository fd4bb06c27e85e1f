package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A tiny {@code wavoice bench --outbound}: a server in its own JVM places three calls to simulated users; both goal
 * figures (Graph connect after the request, media connected after the answer) are reported for every call, in the
 * order the steps happen. No thresholds: the machine is shared.
 */
@Timeout(120)
class BenchOutboundCommandTest {
    @TempDir
    Path dir;

    @Test
    void threeCallsPlacedByTheServerReportBothGoalFiguresInStepOrder() throws Exception {
        Path json = dir.resolve("outbound.json");
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("bench", "--outbound",
                "--calls", "3", "--seconds", "1", "--ramp", "10", "--warmup", "0", "--agent", "echo",
                "--json", json.toString());

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("POST /api/calls -> Graph connect received",
                "answer webhook -> ICE+DTLS connected", "goal              Graph connect after the API request: p99 ");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("settings").path("outbound").asBoolean()).isTrue();
        JsonNode r = report.path("result");
        assertThat(r.path("passed").asInt()).as(r.toString()).isEqualTo(3);
        assertThat(r.path("audio").path("packets_received").asLong()).isPositive();
        JsonNode setup = r.path("setup_ms");
        for (String step : new String[] {"graph_connect_after_request", "api_answered", "media_connected_after_answer",
                "first_audio_back"}) {
            JsonNode p = setup.path(step);
            assertThat(p.path("n").asInt()).as(step).isEqualTo(3);
            assertThat(p.path("p50").asDouble()).as(step).isPositive();
            assertThat(p.path("p95").asDouble()).as(step).isGreaterThanOrEqualTo(p.path("p50").asDouble());
            assertThat(p.path("p99").asDouble()).as(step).isGreaterThanOrEqualTo(p.path("p95").asDouble());
            assertThat(p.path("max").asDouble()).as(step).isGreaterThanOrEqualTo(p.path("p99").asDouble());
        }
        // Per call, Graph's connect arrives before the API answers, and audio flows only once media is up; so the
        // medians keep that order.
        assertThat(setup.path("api_answered").path("p50").asDouble())
                .isGreaterThan(setup.path("graph_connect_after_request").path("p50").asDouble());
        assertThat(setup.path("first_audio_back").path("p50").asDouble())
                .isGreaterThan(setup.path("media_connected_after_answer").path("p50").asDouble());
        JsonNode goals = report.path("goals");
        assertThat(goals.path("graph_connect_after_request").path("graph_permission_checks").asLong())
                .isEqualTo(r.path("graph_permission_checks").asLong()).isNotNegative();
        for (String goal : new String[] {"graph_connect_after_request", "media_connected_after_answer"}) {
            JsonNode g = goals.path(goal);
            assertThat(g.path("n").asInt()).as(goal).isEqualTo(3);
            assertThat(g.path("p99_ms").asDouble()).as(goal).isEqualTo(setup.path(goal).path("p99").asDouble());
            assertThat(g.path("met").asBoolean()).as(goal)
                    .isEqualTo(g.path("p99_ms").asDouble() <= g.path("goal_p99_ms").asDouble());
        }
    }
}
