package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.wavoice.media.audio.Tones;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.sim.WavFile;
import dev.wavoice.server.testsupport.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wavoice simulate} against a whole in-process server on the echo line: the command plays WhatsApp (its
 * own Graph API on the port the server was configured with), and the 523 Hz tone it speaks must come back.
 */
@Timeout(60)
class SimulateCommandTest {
    /**
     * 2 % of the tone: the detected frequency is a median of 100 ms windows (10 Hz bins, interpolated), and a loaded
     * machine's concealed frames pull a window a few hertz off (528.1 Hz seen); any other tone is further away.
     */
    static final double TOLERANCE_HZ = 523 * 0.02;

    @TempDir
    Path dir;

    @Test
    void aSimulatedCallThroughTheEchoLinePassesWithTheToneDetected() throws Exception {
        int graphPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            graphPort = s.getLocalPort();
        }
        try (TestServer t = new TestServer(dir, null,
                b -> b.agent(AgentKind.ECHO).graphUrl(URI.create("http://127.0.0.1:" + graphPort)))) {
            StringWriter out = new StringWriter();
            Path heard = dir.resolve("heard.wav");
            int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("simulate",
                    "--url", "http://127.0.0.1:" + t.server.httpPort(), "--app-secret", TestServer.APP_SECRET,
                    "--graph-port", Integer.toString(graphPort), "--tone", "523", "--seconds", "2", "--listen", "1",
                    "--record", heard.toString());

            String report = out.toString();
            assertThat(code).as(report).isZero();
            assertThat(report).contains("PASS: heard the 523 Hz tone back");
            Matcher detected = Pattern.compile("detected (\\d+\\.\\d) Hz").matcher(report);
            assertThat(detected.find()).as(report).isTrue();
            assertThat(Double.parseDouble(detected.group(1))).isCloseTo(523, within(TOLERANCE_HZ));
            assertThat(report).containsPattern("packets  sent \\d+, received [1-9]\\d*, lost 0");

            short[] pcm = WavFile.read48k(heard);
            int loudest = loudestWindow(pcm, 9_600);
            assertThat(Tones.dominantFrequency(pcm, loudest, 9_600, 48_000)).isCloseTo(523, within(TOLERANCE_HZ));
            // the server saw a whole call: connected, then ended by the caller's terminate webhook
            Matcher callId = Pattern.compile("call (wacid\\.\\S+)").matcher(report);
            assertThat(callId.find()).isTrue();
            assertThat(t.awaitCall(callId.group(1), c -> c.state().equals("ENDED")).endReason()).isEqualTo("caller_hangup");
        }
    }

    private static int loudestWindow(short[] pcm, int window) {
        int best = 0;
        double bestLevel = -200;
        for (int off = 0; off + window <= pcm.length; off += window / 2) {
            double level = Tones.rmsDbfs(pcm, off, window);
            if (level > bestLevel) {
                bestLevel = level;
                best = off;
            }
        }
        return best;
    }
}
