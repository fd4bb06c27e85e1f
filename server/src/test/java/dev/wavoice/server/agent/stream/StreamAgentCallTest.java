package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole call answered by a bot of the business's own over Twilio's Media Streams protocol, the bot written in
 * another language from Twilio's docs (Python, standard library), the caller played by Pion as WhatsApp's edge: the
 * bot hears the caller's tone in μ-law, answers with its own, gets its mark back once that answer has played, clears
 * its long second answer (the caller stops hearing it), receives the keys pressed at the edge, and hangs up with a
 * reason. The call is recorded: opusdec reads the caller's tone on one channel and the bot's on the other.
 */
@Timeout(120)
class StreamAgentCallTest {
    static final Duration T = Duration.ofSeconds(20);
    static final String NUMBER_ID = "110000000000001"; // the connect fixture's phone number id

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    static AgentProfile streamAgent(String name, URI bot, StreamFormat format, boolean recording) {
        return new AgentProfile(name, AgentKind.STREAM, AgentTransport.WEBSOCKET,
                AgentConfig.defaults(URI.create("ws://127.0.0.1:9/"), Secret.none()),
                StreamSettings.of(bot, format), recording);
    }

    /** 20 ms frames of 48 kHz PCM dominated by {@code hz} and audible. */
    static int framesAt(short[] pcm, double hz) {
        int frame = 960;
        int count = 0;
        for (int off = 0; off + frame <= pcm.length; off += frame) {
            if (dev.wavoice.media.audio.Tones.rmsDbfs(pcm, off, frame) > -40 && Math.abs(
                    dev.wavoice.media.audio.Tones.dominantFrequency(pcm, off, frame, 48_000) - hz) < hz * 0.03) {
                count++;
            }
        }
        return count;
    }

    @Test
    void aBotAnswersHearsMarksClearsGetsKeysAndHangsUpAndTheCallIsRecorded() throws Exception {
        double callerHz = Math.round(TestAudio.randomTone(400, 600));
        // 0.4 s of silence, 1.6 s of the caller's tone, then silence while the bot talks.
        Path says = TestAudio.toneBetweenSilences(dir, callerHz, 20, 80, 600);
        Path heardAtEdge = dir.resolve("edge.rec");
        try (MediaStreamsBot bot = MediaStreamsBot.start("--listen-hz", (int) callerHz + ",1000,1500");
             TestServer t = TestServer.withAgents(dir, b -> b.agent(AgentKind.STREAM).adminToken("admin-1")
                             .recordings(new RecordingSettings(dir.resolve("recordings"), 30)),
                     config -> AgentDirectory.single(streamAgent("support-bot", bot.url(), StreamFormat.MULAW_8K,
                             true)));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(heardAtEdge)
                     .withDtmf("7*3").withArgs("-dtmf-delay=2500ms").withDuration(Duration.ofSeconds(40)))) {
            String callId = "wacid.E2E-STREAM";
            whatsapp.sendAnswer(t.ring(callId, "1764002100", whatsapp.offer(T)).sdp());
            whatsapp.awaitConnected(T);
            CallRecord live = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(live.agent()).isEqualTo("support-bot");

            ObjectNode start = bot.await("start", T);
            assertThat(start.path("callSid").asText()).isEqualTo(callId);
            assertThat(start.path("mediaFormat").path("encoding").asText()).isEqualTo("audio/x-mulaw");
            assertThat(start.path("mediaFormat").path("sampleRate").asInt()).isEqualTo(8000);
            assertThat(start.path("customParameters").path("wa_call_id").asText()).isEqualTo(callId);
            assertThat(start.path("customParameters").path("phone_number_id").asText()).isEqualTo(NUMBER_ID);
            assertThat(start.path("customParameters").path("business_number").asText()).isEqualTo("15550001111");
            assertThat(start.path("customParameters").path("caller").asText()).isNotBlank();

            // The caller's tone reaches the bot as μ-law.
            bot.await(l -> l.path("type").asText().equals("tone") && l.path("hz").asInt() == (int) callerHz, T);

            // The bot's answer, sent at once, is paced out in real time: its mark comes back once it has played.
            bot.send(Map.of("cmd", "say", "hz", 1000, "ms", 1000));
            bot.send(Map.of("cmd", "mark", "name", "answer-done"));
            ObjectNode answered = bot.await(l -> l.path("type").asText().equals("mark")
                    && l.path("name").asText().equals("answer-done"), T);
            assertThat(answered.path("sinceSentMs").asDouble()).as("the mark waits for its second of audio")
                    .isBetween(800.0, 3_000.0);

            // A long answer, cleared after about half a second: its pending mark comes back at once.
            bot.send(Map.of("cmd", "say", "hz", 1500, "ms", 8000));
            bot.send(Map.of("cmd", "mark", "name", "long-done"));
            Thread.sleep(600);
            bot.send(Map.of("cmd", "clear"));
            ObjectNode cleared = bot.await(l -> l.path("type").asText().equals("mark")
                    && l.path("name").asText().equals("long-done"), T);
            assertThat(cleared.path("sinceSentMs").asDouble()).as("echoed on the clear, not after 8 s")
                    .isLessThan(3_000.0);

            // The keys pressed at the edge, one dtmf message each.
            await().atMost(T).until(() -> bot.lines("dtmf").size() >= 3);
            assertThat(bot.lines("dtmf")).extracting(l -> l.path("digit").asText()).containsExactly("7", "*", "3");

            Thread.sleep(300);
            bot.send(Map.of("cmd", "hangup", "event", "hangup", "reason", "customer satisfied"));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("agent_hangup");
            assertThat(ended.endDetail()).contains("customer satisfied");
            assertThat(t.graph.actions()).contains("terminate");
            bot.await("stop", T);
            assertThat(bot.violations()).as("wavoice's messages match Twilio's documented shapes").isEmpty();

            whatsapp.requestClose();
            whatsapp.awaitExit(T);
            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, 1000)).as("the bot's answer at the edge").isGreaterThanOrEqualTo(8);
            // The caller heard no more of the cleared answer than the frames played when the clear came (the one
            // being sent at that moment included): 8 s were queued.
            String clearDetail = t.server.repository().events(callId).stream()
                    .filter(e -> e.type().equals("agent.clear")).findFirst().orElseThrow().detail();
            long playedAtClear = Long.parseLong(clearDetail.replaceAll("framesPlayed=(\\d+).*", "$1"));
            long droppedAtClear = Long.parseLong(clearDetail.replaceAll(".*framesDropped=(\\d+)", "$1"));
            assertThat(playedAtClear + droppedAtClear).as("the whole 8 s answer, played or dropped").isEqualTo(400);
            int heard1500 = framesAt(heard, 1500);
            assertThat(playedAtClear).as("about half a second had played").isBetween(10L, 120L);
            assertThat(heard1500).as("frames of the cleared answer heard at the edge vs played at the clear (%d)",
                    playedAtClear).isBetween((int) playedAtClear - 3, (int) playedAtClear + 1);
            String metrics = t.get("/metrics", "Authorization", "Bearer admin-1").body();
            assertThat(metrics).as("each caller frame's way to the bot is timed")
                    .containsPattern("wavoice_stream_caller_frame_delay_seconds_count [1-9][0-9]{2,}")
                    .containsPattern("wavoice_stream_clear_delay_seconds_count 1(\\.0)?\\n");
            List<String> events = t.server.repository().events(callId).stream().map(CallEventRecord::type).toList();
            assertThat(events).contains("agent.connected", "agent.first_audio", "caller.dtmf", "agent.clear",
                    "agent.hangup");

            // The recording: caller left, bot right, as long as the call was connected.
            await().atMost(T).until(() -> t.server.repository().recording(callId).isPresent());
            RecordingRecord rec = t.server.repository().recording(callId).orElseThrow();
            Path file = Path.of(rec.path());
            assertThat(file).startsWith(dir.resolve("recordings").toAbsolutePath());
            assertThat(Files.size(file)).isEqualTo(rec.bytes());
            long connectedMs = Duration.between(ended.connectedAt(), ended.endedAt()).toMillis();
            assertThat(rec.durationMs()).as("recording vs connected time").isCloseTo(connectedMs,
                    org.assertj.core.data.Offset.offset(100L));
            Opusdec.Pcm pcm = Opusdec.decode(file);
            assertThat(Math.abs(pcm.frames() / 48 - rec.durationMs())).as("decoded length").isLessThanOrEqualTo(40);
            assertThat(TestAudio.windowsAt(pcm.caller(), callerHz)).as("caller's tone, caller channel")
                    .isGreaterThanOrEqualTo(8);
            assertThat(TestAudio.windowsAt(pcm.caller(), 1000)).as("no bot on the caller channel").isZero();
            assertThat(TestAudio.windowsAt(pcm.agent(), 1000)).as("bot's answer, agent channel")
                    .isGreaterThanOrEqualTo(8);
            assertThat(TestAudio.windowsAt(pcm.agent(), callerHz)).as("no caller on the agent channel").isZero();

            // Downloading it needs the admin login.
            String url = "/api/calls/" + callId + "/recording";
            assertThat(t.get(url).statusCode()).isEqualTo(401);
            var download = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    t.uri(url)).header("Authorization", "Bearer admin-1").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("audio/ogg"));
            assertThat(download.body()).as("the file as stored").isEqualTo(Files.readAllBytes(file));
            assertThat(t.get("/api/calls/" + callId, "Authorization", "Bearer admin-1").body())
                    .contains("\"recording\":{").contains(file.getFileName().toString());
        }
    }
}
