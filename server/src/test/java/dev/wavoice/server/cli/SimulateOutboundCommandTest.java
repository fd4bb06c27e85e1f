package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wavoice.media.audio.Tones;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.sim.WavFile;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wavoice simulate --outbound} against a whole in-process server: the server places calls ({@code POST
 * /api/calls}) through the command's Graph stand-in, the simulated users ring, pick up with the media module's answer
 * and talk a tone, which the agent must send back (the echo line at once; the local agent after greeting first with
 * its chime, 660 then 880 Hz); then they hang up.
 */
@Timeout(90)
class SimulateOutboundCommandTest {
    @TempDir
    Path dir;

    @Test
    void theLocalAgentGreetsTheUserFirstThenRepeatsTheirTone() throws Exception {
        int graphPort = freePort();
        try (TestServer t = new TestServer(dir, null,
                b -> b.agent(AgentKind.LOCAL).graphUrl(URI.create("http://127.0.0.1:" + graphPort)))) {
            StringWriter out = new StringWriter();
            Path heard = dir.resolve("heard.wav");
            int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("simulate", "--outbound",
                    "--url", "http://127.0.0.1:" + t.server.httpPort(), "--app-secret", TestServer.APP_SECRET,
                    "--graph-port", Integer.toString(graphPort), "--tone", "440", "--seconds", "3", "--listen", "4",
                    "--record", heard.toString());

            String report = out.toString();
            assertThat(code).as(report).isZero();
            assertThat(report).contains("PASS: heard the 440 Hz tone back", "PASS: 1 of 1 calls placed by the server passed");
            // The greeting comes before anything the user said is repeated: the first voiced audio is the chime.
            short[] pcm = WavFile.read48k(heard);
            int firstVoiced = -1;
            for (int off = 0; off + 4_800 <= pcm.length && firstVoiced < 0; off += 4_800) {
                if (Tones.rmsDbfs(pcm, off, 4_800) > -40) {
                    firstVoiced = off;
                }
            }
            assertThat(firstVoiced).as("nothing voiced heard").isNotNegative();
            List<Double> chime = new ArrayList<>();
            for (int off = firstVoiced; off < firstVoiced + 4 * 4_800 && off + 4_800 <= pcm.length; off += 2_400) {
                chime.add(Tones.dominantFrequency(pcm, off, 4_800, 48_000));
            }
            // 100 ms windows every 50 ms over the first 400 ms voiced: the chime's 660 or 880 Hz, and not yet the tone.
            // (The user talks from the moment media is up, so barge-in often stops the greeting after its first note.)
            assertThat(chime).as("the first 400 ms voiced: %s", chime)
                    .anyMatch(hz -> Math.abs(hz - 660) < 15 || Math.abs(hz - 880) < 15)
                    .noneMatch(hz -> Math.abs(hz - 440) < 15);

            Matcher placed = Pattern.compile("call (wv\\.\\S+) to").matcher(report);
            assertThat(placed.find()).as(report).isTrue();
            CallRecord row = t.awaitCall(placed.group(1), c -> c.state().equals("ENDED"));
            assertThat(row.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(row.endReason()).isEqualTo("caller_hangup");
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theServerCallsTwoSimulatedUsersWhoHearTheAgentAndHangUp() throws Exception {
        int graphPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            graphPort = s.getLocalPort();
        }
        try (TestServer t = new TestServer(dir, null,
                b -> b.agent(AgentKind.ECHO).graphUrl(URI.create("http://127.0.0.1:" + graphPort)))) {
            StringWriter out = new StringWriter();
            int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("simulate", "--outbound",
                    "--url", "http://127.0.0.1:" + t.server.httpPort(), "--app-secret", TestServer.APP_SECRET,
                    "--graph-port", Integer.toString(graphPort), "--to", "+15557650100", "--calls", "2",
                    "--callback-data", "sim-7", "--tone", "587", "--seconds", "2", "--listen", "1");

            String report = out.toString();
            assertThat(code).as(report).isZero();
            assertThat(report).contains("PASS: 2 of 2 calls placed by the server passed");
            Matcher heard = Pattern.compile("PASS: heard the 587 Hz tone back \\(detected (\\d+\\.\\d) Hz").matcher(report);
            for (int i = 0; i < 2; i++) {
                assertThat(heard.find()).as(report).isTrue();
                assertThat(Double.parseDouble(heard.group(1))).isCloseTo(587, within(5.0));
            }
            assertThat(report).containsPattern("request -> Graph connect \\d+\\.\\d ms")
                    .containsPattern("answer webhook -> DTLS connected \\d+\\.\\d ms");

            Matcher placed = Pattern.compile("call (wv\\.\\S+) to (\\d+)").matcher(report);
            List<String> users = new ArrayList<>();
            while (placed.find()) {
                String callId = placed.group(1);
                users.add(placed.group(2));
                CallRecord row = t.awaitCall(callId, c -> c.state().equals("ENDED"));
                assertThat(row.direction()).isEqualTo("BUSINESS_INITIATED");
                assertThat(row.endReason()).as("the simulated user hung up").isEqualTo("caller_hangup");
                assertThat(row.callbackData()).isEqualTo("sim-7");
                assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                        .containsSubsequence("call.requested", "graph.connect", "webhook.status", "webhook.connect",
                                "media.connected", "call.connected", "webhook.terminate", "call.ended");
            }
            assertThat(users).containsExactlyInAnyOrder("15557650100", "15557650101");
            assertThat(t.get("/metrics").body())
                    .contains("wavoice_calls_started_total{direction=\"business_initiated\"} 2.0");
        }
    }
}
