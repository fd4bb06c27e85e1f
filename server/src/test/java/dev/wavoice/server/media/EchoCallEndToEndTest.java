package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.RecordedPacket;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole call as WhatsApp would place it, with Pion playing WhatsApp's ICE-lite edge: signed connect webhook
 * carrying Pion's offer → the fake Graph API receives {@code pre_accept} with our answer, which is handed to Pion
 * as Meta would → ICE+DTLS connect → {@code accept} → with {@code WAVOICE_AGENT=echo} what Pion sends comes back
 * → terminate webhook ends the call row.
 */
@Timeout(90)
class EchoCallEndToEndTest {
    static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @Test
    void aCallIsAnsweredEchoedAndLogged() throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(("\u00f8caller-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve("caller.opus");
        OpusStreamFile.write(send, frames);
        Path rec = dir.resolve("heard.rec");

        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.ECHO));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(send).withRecord(rec)
                     .withDuration(Duration.ofSeconds(6)))) {
            String callId = "wacid.E2E-ECHO";
            String offer = whatsapp.offer(T);
            long t0 = System.nanoTime();
            // Meta's part: hand the pre_accept answer to the caller's side.
            FakeGraphApi.Request preAccept = t.ring(callId, "1764001000", offer);
            long preAcceptMillis = (preAccept.receivedNanos() - t0) / 1_000_000;
            String answer = preAccept.sdp();
            assertThat(answer).contains("a=setup:active").doesNotContain("a=ice-lite");
            whatsapp.sendAnswer(answer);
            whatsapp.awaitConnected(T);

            CallRecord live = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(live.agent()).isEqualTo("echo");
            assertThat(t.graph.actions()).containsExactly("pre_accept", "accept");
            assertThat(t.graph.requests().get(1).sdp()).isEqualTo(answer);

            whatsapp.awaitPacketsReceived(60, T);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 3L));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("webhook.connect", "media.answered", "graph.pre_accept", "media.connected",
                            "graph.accept", "webhook.terminate", "call.ended");
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            List<String> heard = whatsapp.recording().stream()
                    .map(p -> new String(p.payload(), StandardCharsets.ISO_8859_1)).toList();
            assertThat(heard).contains("\u00f8caller-30", "\u00f8caller-60");
            assertThat(whatsapp.recording()).extracting(RecordedPacket::payloadType).containsOnly(111);
            assertThat(preAcceptMillis).as("webhook → pre_accept (ms, loopback, cold JIT)").isLessThan(3000);
            assertThat(t.get("/metrics").body()).contains("wavoice_calls_total{outcome=\"caller_hangup\"} 1.0");
        }
    }
}
