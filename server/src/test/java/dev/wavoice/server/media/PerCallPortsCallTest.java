package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.testsupport.TestServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** WAVOICE_MEDIA_PORTS end to end: a WhatsApp-shaped call answered on a port of its own, echoed, hung up. */
@Timeout(90)
class PerCallPortsCallTest {
    static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void aCallIsCarriedOnItsOwnPortFromTheRange() throws Exception {
        PionPeer.binary();
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(("\u00f8own-port-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve("caller.opus");
        OpusStreamFile.write(send, frames);
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.ECHO).mediaPorts(port + "-" + port));
             PionPeer edge = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(send)
                     .withDuration(Duration.ofSeconds(6)))) {
            String answer = t.ring("wacid.OWN-PORT", "1764004000", edge.offer(T)).sdp();
            assertThat(answer).contains(" 127.0.0.1 " + port + " typ host");
            edge.sendAnswer(answer);
            edge.awaitConnected(T);
            edge.awaitPacketsReceived(40, T);
            t.postSigned(TestServer.terminateWebhook("wacid.OWN-PORT", "COMPLETED", 2L));
            assertThat(t.awaitCall("wacid.OWN-PORT", c -> c.state().equals("ENDED")).endReason())
                    .isEqualTo("caller_hangup");
        }
    }
}
