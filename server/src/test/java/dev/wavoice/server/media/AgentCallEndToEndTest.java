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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A whole call answered by the built-in local agent, with Pion as WhatsApp's edge: signed connect webhook →
 * {@code pre_accept} → ICE+DTLS → {@code accept} → the agent greets; the caller says something (a tone of a
 * frequency picked per run) and pauses → the agent's reply chime and the parrot of that tone come back, detected
 * by frequency at the edge → transcripts and events in the call log → terminate ends the row. Over both agent
 * transports: the WebSocket (wavoice decodes and encodes), and WebRTC (the local agent answers a leg of wavoice's
 * own with its own media stack, and wavoice only relays: its codec counters stay at zero).
 */
@Timeout(120)
class AgentCallEndToEndTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @ParameterizedTest
    @EnumSource(AgentTransport.class)
    void theLocalAgentGreetsAndParrotsTheCaller(AgentTransport transport) throws Exception {
        boolean webrtc = transport == AgentTransport.WEBRTC;
        double hz = TestAudio.randomTone(300, 550);
        // 1 s of silence while the greeting plays, 1.2 s of "speech", then 3.8 s of silence for the reply.
        Path says = TestAudio.toneBetweenSilences(dir, hz, 50, 60, 190);
        Path rec = dir.resolve("heard.rec");
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.LOCAL).agentTransport(transport));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(rec)
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.E2E-LOCAL";
            String offer = whatsapp.offer(T);
            whatsapp.sendAnswer(t.ring(callId, "1764001100", offer).sdp());
            whatsapp.awaitConnected(T);
            CallRecord live = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(live.agent()).isEqualTo(webrtc ? "local/webrtc" : "local");

            // The caller's line is logged when the agent hears the pause; its reply (0.25 s chime + the 1.2 s
            // parrot) then plays in real time.
            await().atMost(T).until(() -> t.server.repository().transcripts(callId).stream()
                    .anyMatch(r -> r.speaker().equals("caller") && r.text().contains("s of caller audio")));
            Thread.sleep(2_500);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 8L));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(ended.durationMs()).isEqualTo(8000L);
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, 880)).as("greeting chime (660 then 880 Hz)").isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(heard, 1320)).as("reply chime at 1320 Hz").isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(heard, hz)).as("parrot of the caller's %.0f Hz, in 100 ms windows", hz)
                    .isGreaterThanOrEqualTo(6);
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .contains("agent.connected", "agent.first_audio")
                    .containsSubsequence("webhook.connect", "media.answered", "graph.pre_accept", "media.connected",
                            "graph.accept", "webhook.terminate", "call.ended");
            await().atMost(T).untilAsserted(() -> assertThat(t.server.repository().transcripts(callId))
                    .extracting(TranscriptRecord::speaker).contains("caller", "assistant"));
            assertThat(t.server.repository().usage(callId)).isNotEmpty();
            String metrics = t.get("/metrics").body();
            assertThat(metrics).contains("wavoice_calls_total{outcome=\"caller_hangup\"} 1.0");
            if (webrtc) {
                assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type).contains("agent.leg");
                assertThat(metrics).as("wavoice only relays").contains("wavoice_opus_frames_total{op=\"decode\"} 0.0")
                        .contains("wavoice_opus_frames_total{op=\"encode\"} 0.0");
            }
        }
    }

    @Test
    void pcmEchoReturnsTheCallersToneThroughTheWholeAudioPath() throws Exception {
        double hz = TestAudio.randomTone(300, 700);
        Path says = TestAudio.toneBetweenSilences(dir, hz, 10, 150, 10);
        Path rec = dir.resolve("heard-pcm-echo.rec");
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.PCM_ECHO));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(rec)
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.E2E-PCM-ECHO";
            String offer = whatsapp.offer(T);
            whatsapp.sendAnswer(t.ring(callId, "1764001200", offer).sdp());
            whatsapp.awaitConnected(T);
            assertThat(t.awaitCall(callId, c -> c.state().equals("CONNECTED")).agent()).isEqualTo("pcm-echo");
            whatsapp.awaitPacketsReceived(120, T);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 4L));
            t.awaitCall(callId, c -> c.state().equals("ENDED"));
            whatsapp.requestClose();
            whatsapp.awaitExit(T);
            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, hz)).as("the caller's %.0f Hz back, decoded and re-encoded", hz)
                    .isGreaterThanOrEqualTo(15);
        }
    }
}
