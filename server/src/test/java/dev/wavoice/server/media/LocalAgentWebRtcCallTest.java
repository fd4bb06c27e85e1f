package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code WAVOICE_AGENT_TRANSPORT=webrtc} with no key: the built-in local agent answers the agent leg's offer with its
 * own media stack, so a call from Pion (WhatsApp's edge) is relayed to it as Opus both ways. The greeting, the reply
 * chime and the parrot of the caller's tone are heard at the edge, the transcripts come over the sideband socket,
 * and wavoice itself never decodes or encodes a frame.
 */
@Timeout(120)
class LocalAgentWebRtcCallTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @Test
    void theLocalAgentAnswersOverWebRtcAndWavoiceOnlyRelays() throws Exception {
        double hz = TestAudio.randomTone(300, 550);
        Path says = TestAudio.toneBetweenSilences(dir, hz, 50, 60, 190);
        Path rec = dir.resolve("heard.rec");
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.LOCAL)
                .agentTransport(AgentTransport.WEBRTC));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(rec)
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.E2E-LOCAL-WEBRTC";
            String offer = whatsapp.offer(T);
            whatsapp.sendAnswer(t.ring(callId, "1764001300", offer).sdp());
            whatsapp.awaitConnected(T);
            CallRecord live = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(live.agent()).isEqualTo("local/webrtc");

            await().atMost(T).until(() -> t.server.repository().transcripts(callId).stream()
                    .anyMatch(r -> r.speaker().equals("caller") && r.text().contains("s of caller audio")));
            Thread.sleep(2_500);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 8L));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, 880)).as("greeting chime (660 then 880 Hz)").isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(heard, 1320)).as("reply chime at 1320 Hz").isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(heard, hz)).as("parrot of the caller's %.0f Hz, in 100 ms windows", hz)
                    .isGreaterThanOrEqualTo(6);
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .contains("agent.leg", "agent.connected", "agent.first_audio")
                    .containsSubsequence("webhook.connect", "graph.pre_accept", "media.connected", "graph.accept",
                            "call.ended");
            await().atMost(T).untilAsserted(() -> assertThat(t.server.repository().transcripts(callId))
                    .extracting(TranscriptRecord::speaker).contains("caller", "assistant"));
            assertThat(t.server.repository().usage(callId)).isNotEmpty();
            String metrics = t.get("/metrics").body();
            assertThat(metrics).contains("wavoice_opus_frames_total{op=\"decode\"} 0.0")
                    .contains("wavoice_opus_frames_total{op=\"encode\"} 0.0");
        }
    }
}
