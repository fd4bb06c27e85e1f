package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wavoice.server.config.AgentKind;
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
 * {@code wavoice simulate --outbound} against a whole in-process server on the echo line: the server places two
 * calls ({@code POST /api/calls}) through the command's Graph stand-in, the simulated users ring, pick up with the
 * media module's answer and talk a 587 Hz tone, which the agent (the echo line) must send back; then they hang up.
 */
@Timeout(90)
class SimulateOutboundCommandTest {
    @TempDir
    Path dir;

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
