package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a bot does wrong stays with its own call: bad JSON, unknown events, a message for another stream, bad base64,
 * an oversized message, a mark without a name and a socket that stops reading are dropped and counted, while another
 * call on the same bot carries on and hears its answer; a bot that closes its socket hangs up, and a bot that cannot
 * be reached gets the caller the apology tone.
 */
@Timeout(120)
class StreamBotFaultsTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    private static TestServer server(Path dir, URI bot) throws Exception {
        return TestServer.withAgents(dir, b -> b.agent(AgentKind.STREAM), config -> AgentDirectory.single(
                StreamAgentCallTest.streamAgent("bot", bot, StreamFormat.MULAW_8K, false)));
    }

    @Test
    void aMisbehavingBotDisturbsNoOtherCall() throws Exception {
        Path silence = TestAudio.silenceFile(dir, 1500);
        try (MediaStreamsBot bot = MediaStreamsBot.start("--listen-hz", "1000");
             TestServer t = server(dir, bot.url());
             PionPeer bad = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(silence)
                     .withDuration(Duration.ofSeconds(40)));
             PionPeer good = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(silence)
                     .withRecord(dir.resolve("good.rec")).withDuration(Duration.ofSeconds(40)))) {
            bad.sendAnswer(t.ring("wacid.BAD", "1764004100", bad.offer(T)).sdp());
            bad.awaitConnected(T);
            String badSid = bot.await("start", T).path("streamSid").asText();
            good.sendAnswer(t.ring("wacid.GOOD", "1764004200", good.offer(T)).sdp());
            good.awaitConnected(T);
            await().atMost(T).until(() -> bot.lines("start").size() == 2);
            String goodSid = bot.lines("start").get(1).path("streamSid").asText();

            for (String raw : new String[] {"not json", "[1,2,3]", "{\"event\":\"dance\",\"streamSid\":\"" + badSid
                    + "\"}", "{\"event\":\"media\",\"streamSid\":\"MZ-someone-else\",\"media\":{\"payload\":\"AAAA\"}}",
                    "{\"event\":\"media\",\"streamSid\":\"" + badSid + "\",\"media\":{\"payload\":\"%%%not base64\"}}",
                    "{\"event\":\"mark\",\"streamSid\":\"" + badSid + "\",\"mark\":{}}"}) {
                bot.send(Map.of("cmd", "raw", "text", raw, "streamSid", badSid));
            }
            bot.send(Map.of("cmd", "oversized", "bytes", 2_000_000, "streamSid", badSid));
            bot.send(Map.of("cmd", "stall", "rcvbuf", 4096, "streamSid", badSid));

            bot.send(Map.of("cmd", "say", "hz", 1000, "ms", 1500, "streamSid", goodSid));
            bot.send(Map.of("cmd", "mark", "name", "good-said", "streamSid", goodSid));
            bot.await(l -> l.path("type").asText().equals("mark") && l.path("name").asText().equals("good-said"), T);

            await().atMost(T).untilAsserted(() -> assertThat(t.get("/metrics").body())
                    .contains("wavoice_stream_dropped_total{reason=\"bad_json\"} 2.0")
                    .contains("wavoice_stream_dropped_total{reason=\"unknown_event\"} 1.0")
                    .contains("wavoice_stream_dropped_total{reason=\"bad_message\"} 2.0")
                    .contains("wavoice_stream_dropped_total{reason=\"bad_media\"} 1.0")
                    .contains("wavoice_stream_dropped_total{reason=\"oversized\"} 1.0"));
            assertThat(t.awaitCall("wacid.BAD", c -> true).state()).as("bad input ends no call").isEqualTo("CONNECTED");

            t.postSigned(TestServer.terminateWebhook("wacid.GOOD", "COMPLETED", 5L));
            CallRecord goodEnd = t.awaitCall("wacid.GOOD", c -> c.state().equals("ENDED"));
            assertThat(goodEnd.endReason()).isEqualTo("caller_hangup");
            good.requestClose();
            good.awaitExit(T);
            assertThat(TestAudio.windowsAt(TestAudio.decode(good.recording()), 1000))
                    .as("the other call heard its bot's answer").isGreaterThanOrEqualTo(10);

            // The stalled socket's call still ends cleanly when the caller hangs up.
            t.postSigned(TestServer.terminateWebhook("wacid.BAD", "COMPLETED", 6L));
            assertThat(t.awaitCall("wacid.BAD", c -> c.state().equals("ENDED")).endReason()).isEqualTo("caller_hangup");
        }
    }

    @Test
    void aBotClosingItsSocketHangsUp() throws Exception {
        try (MediaStreamsBot bot = MediaStreamsBot.start();
             TestServer t = server(dir, bot.url());
             PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(TestAudio.silenceFile(dir, 500))
                     .withDuration(Duration.ofSeconds(20)))) {
            caller.sendAnswer(t.ring("wacid.BYE", "1764004300", caller.offer(T)).sdp());
            caller.awaitConnected(T);
            bot.await("start", T);
            bot.send(Map.of("cmd", "close", "code", 1000, "reason", "goodbye"));
            CallRecord ended = t.awaitCall("wacid.BYE", c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("agent_hangup");
            assertThat(ended.endDetail()).contains("the bot closed the stream").contains("goodbye");
            assertThat(t.graph.actions()).contains("terminate");
        }
    }

    @Test
    void aBotThatCannotBeReachedGetsTheCallerTheApologyTone() throws Exception {
        int closedPort;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        Path heard = dir.resolve("apology.rec");
        try (TestServer t = server(dir, URI.create("ws://127.0.0.1:" + closedPort + "/"));
             PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(TestAudio.silenceFile(dir, 500))
                     .withRecord(heard).withDuration(Duration.ofSeconds(20)))) {
            caller.sendAnswer(t.ring("wacid.NOBOT", "1764004400", caller.offer(T)).sdp());
            caller.awaitConnected(T);
            CallRecord ended = t.awaitCall("wacid.NOBOT", c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("agent_failed");
            assertThat(ended.endDetail()).contains("WAVOICE_STREAM_URL").contains(String.valueOf(closedPort));
            caller.requestClose();
            caller.awaitExit(T);
            short[] tone = TestAudio.decode(caller.recording());
            assertThat(TestAudio.windowsAt(tone, 660)).as("the apology's high tone, at the stream's 8 kHz too")
                    .isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(tone, 440)).as("and its low tone").isGreaterThanOrEqualTo(2);
        }
    }
}
