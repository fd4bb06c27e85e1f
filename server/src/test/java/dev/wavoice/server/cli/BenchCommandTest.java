package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A small {@code wavoice bench}: it starts a server in its own JVM, runs three echo calls, reports the figures
 * as JSON, and leaves no process behind.
 */
@Timeout(90)
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void threeCallsAgainstAServerInItsOwnJvmReportEveryFigureAndCleanUp() throws Exception {
        Path json = dir.resolve("bench.json");
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("bench", "--calls", "3",
                "--seconds", "2", "--ramp", "20", "--warmup", "0", "--agent", "echo", "--json", json.toString());

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("-> pre_accept received", "server CPU", "per call");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        JsonNode r = report.path("result");
        assertThat(r.path("passed").asInt()).isEqualTo(3);
        for (String step : new String[] {"pre_accept", "dtls_connected", "first_audio_back"}) {
            JsonNode p = r.path("setup_ms").path(step);
            assertThat(p.path("n").asInt()).as(step).isEqualTo(3);
            assertThat(p.path("p50").asDouble()).as(step).isPositive();
            assertThat(p.path("p99").asDouble()).as(step).isGreaterThanOrEqualTo(p.path("p50").asDouble());
        }
        // setup steps happen in order for every call
        assertThat(r.path("setup_ms").path("first_audio_back").path("max").asDouble())
                .isGreaterThan(r.path("setup_ms").path("pre_accept").path("p50").asDouble());
        assertThat(r.path("server_cpu").path("cpu_ms_per_call_second").asDouble()).isPositive();
        assertThat(r.path("server_cpu").path("call_seconds").asDouble()).isGreaterThan(3 * 1.5);
        assertThat(r.path("audio").path("packets_received").asLong()).isPositive();
        assertThat(r.path("audio").path("loss_fraction").asDouble()).isLessThan(0.05);
        assertThat(r.path("frames_back").path("timed").asLong()).isPositive();
        // the echo line sends from the receive path: no pacer, so no send-side counters, and on_time is the callers'
        assertThat(r.path("frames_back").path("server_sends").path("known").asBoolean()).isFalse();
        assertThat(r.path("on_time").asBoolean())
                .isEqualTo(r.path("failed").asInt() == 0 && r.path("frames_back").path("late_over_5ms").asLong() == 0);
        assertThat(r.path("heap").path("with_calls_bytes").asLong()).isPositive();
        assertThat(r.path("heap").has("per_call_bytes")).isTrue();
        assertThat(report.path("machine").path("cores").asInt()).isPositive();

        long pid = report.path("server").path("pid").asLong();
        assertThat(pid).isPositive();
        Optional<ProcessHandle> child = ProcessHandle.of(pid);
        // close() waited for the exit; allow the OS a moment to reap it
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (child.isPresent() && child.get().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(child.map(ProcessHandle::isAlive).orElse(false)).as("server JVM still running").isFalse();
    }

    @Test
    void aSpeakingAgentIsJudgedByTheServersOwnSendsOverTheRun() throws Exception {
        Path json = dir.resolve("pcm-echo.json");
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("bench", "--calls", "2",
                "--seconds", "2", "--ramp", "20", "--warmup", "0", "--agent", "pcm-echo", "--json", json.toString());

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("server sends");
        JsonNode r = new ObjectMapper().readTree(json.toFile()).path("result");
        JsonNode sends = r.path("frames_back").path("server_sends");
        assertThat(sends.path("known").asBoolean()).isTrue();
        // the run's own window: about 50 ticks per second of it, not the server's whole life
        assertThat(sends.path("pacer_ticks").asLong()).isBetween(50L, 50L * 60);
        long late = sends.path("late_ticks").asLong();
        assertThat(late).isBetween(0L, sends.path("pacer_ticks").asLong());
        assertThat(r.path("on_time").asBoolean()).isEqualTo(r.path("failed").asInt() == 0 && late == 0);
    }

    @Test
    void comparingRecordingRunsTheCallsOnAServerWithoutThenWithRecordingAndDeletesTheFiles() throws Exception {
        Path json = dir.resolve("record.json");
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("bench", "--calls", "2",
                "--seconds", "2", "--ramp", "20", "--warmup", "1", "--agent", "echo", "--compare-record",
                "--json", json.toString());

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("without recording:", "with recording:", "every call recorded",
                "recorded vs not");
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.path("without_recording").path("passed").asInt()).isEqualTo(2);
        assertThat(report.path("result").path("passed").asInt()).isEqualTo(2);
        JsonNode rec = report.path("recording");
        // the run's two calls, not the warm-up's
        assertThat(rec.path("files").asInt()).isEqualTo(2);
        assertThat(rec.path("saved").asLong()).isEqualTo(2);
        assertThat(rec.path("failed").asLong()).isZero();
        assertThat(rec.path("bytes").asLong()).isEqualTo(rec.path("counted_bytes").asLong()).isPositive();
        // each file holds about the call's connected time: 2 s of talk, up to the heap reading and the hang-up
        assertThat(rec.path("audio_seconds").asDouble()).isBetween(2 * 1.5, 2 * 15.0);
        // both channels carry the callers' tone (the echo sends it back): tens of kbit/s, not silence, not PCM
        assertThat(rec.path("kbit_per_second").asDouble()).isBetween(8.0, 130.0);
        assertThat(Path.of(rec.path("dir").asText())).doesNotExist();
        JsonNode cmp = report.path("recording_comparison");
        assertThat(cmp.path("cpu_ratio").asDouble()).isPositive();
        assertThat(cmp.path("cpu_ms_per_call_second_with").asDouble())
                .isEqualTo(report.path("result").path("server_cpu").path("cpu_ms_per_call_second").asDouble());
        assertThat(cmp.path("cpu_ms_per_call_second_without").asDouble()).isEqualTo(
                report.path("without_recording").path("server_cpu").path("cpu_ms_per_call_second").asDouble());
    }
}
