package dev.wavoice.server.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.media.record.Opusdec;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.RecordingSettings;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.RecordingRecord;
import dev.wavoice.server.testsupport.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording on the echo line (Opus relayed as it came, nothing decoded): the file holds the caller and the echo; a
 * disk that refuses the file never ends the call, the failure is counted; the retention deletes files past their days
 * and the row says so.
 */
@Timeout(120)
class RecordedEchoCallTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    private static TestServer server(Path dir, Path recordings) throws Exception {
        return TestServer.withAgents(dir, b -> b.agent(AgentKind.ECHO).adminToken("admin-1")
                        .recordings(new RecordingSettings(recordings, 30)),
                config -> AgentDirectory.single(new AgentProfile("echo", AgentKind.ECHO, AgentTransport.WEBSOCKET,
                        AgentConfig.defaults(URI.create("ws://127.0.0.1:9/"), Secret.none()), null, true)));
    }

    private static CallRecord echoCall(TestServer t, Path dir, String callId, double hz) throws Exception {
        Path says = TestAudio.toneBetweenSilences(dir, hz, 10, 100, 40);
        try (PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says)
                .withRecord(dir.resolve(callId + ".rec")).withDuration(Duration.ofSeconds(30)))) {
            caller.sendAnswer(t.ring(callId, "1764005100", caller.offer(T)).sdp());
            caller.awaitConnected(T);
            t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            caller.awaitPacketsReceived(120, T);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 3L));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            caller.requestClose();
            caller.awaitExit(T);
            assertThat(TestAudio.windowsAt(TestAudio.decode(caller.recording()), hz)).as("the echo")
                    .isGreaterThanOrEqualTo(8);
            return ended;
        }
    }

    @Test
    void theEchoLineIsRecordedAndTheRetentionDeletesItLater() throws Exception {
        double hz = Math.round(TestAudio.randomTone(400, 700));
        try (TestServer t = server(dir, dir.resolve("recordings"))) {
            CallRecord ended = echoCall(t, dir, "wacid.REC-ECHO", hz);
            await().atMost(T).until(() -> t.server.repository().recording("wacid.REC-ECHO").isPresent());
            RecordingRecord rec = t.server.repository().recording("wacid.REC-ECHO").orElseThrow();
            assertThat(rec.durationMs()).isCloseTo(Duration.between(ended.connectedAt(), ended.endedAt()).toMillis(),
                    org.assertj.core.data.Offset.offset(100L));
            Opusdec.Pcm pcm = Opusdec.decode(Path.of(rec.path()));
            assertThat(TestAudio.windowsAt(pcm.caller(), hz)).as("the caller").isGreaterThanOrEqualTo(8);
            assertThat(TestAudio.windowsAt(pcm.agent(), hz)).as("the echo, on the other channel")
                    .isGreaterThanOrEqualTo(8);
            assertThat(t.get("/metrics").body()).contains("wavoice_recordings_total{outcome=\"saved\"} 1.0");

            RecordingRetention now = new RecordingRetention(t.server.repository(), t.config.recordings(),
                    t.config.instanceId(), Clock.systemUTC());
            assertThat(now.runOnce()).as("a fresh recording is kept").isZero();
            RecordingRetention later = new RecordingRetention(t.server.repository(), t.config.recordings(),
                    t.config.instanceId(), Clock.offset(Clock.systemUTC(), Duration.ofDays(31)));
            assertThat(later.runOnce()).isEqualTo(1);
            assertThat(Path.of(rec.path())).doesNotExist();
            assertThat(t.server.repository().recording("wacid.REC-ECHO").orElseThrow().deletedAt()).isNotNull();
            assertThat(t.get("/api/calls/wacid.REC-ECHO/recording", "Authorization", "Bearer admin-1").statusCode())
                    .isEqualTo(410);
            assertThat(later.runOnce()).as("nothing left to delete").isZero();
        }
    }

    @Test
    void aDiskThatRefusesTheFileNeverEndsTheCall() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        try (TestServer t = server(dir, notADirectory.resolve("recordings"))) {
            CallRecord ended = echoCall(t, dir, "wacid.REC-FAIL", 500);
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            await().atMost(T).untilAsserted(() -> assertThat(t.get("/metrics").body())
                    .contains("wavoice_recordings_total{outcome=\"failed\"} 1.0"));
            await().atMost(T).untilAsserted(() -> assertThat(t.server.repository().events("wacid.REC-FAIL"))
                    .extracting(CallEventRecord::type).contains("recording.failed"));
            assertThat(t.server.repository().recording("wacid.REC-FAIL")).isEmpty();
        }
    }
}
