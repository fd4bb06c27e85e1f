package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.Secret;
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
 * Two WhatsApp numbers on one server, each with its own agent: the default number's calls get the echo line, the
 * sales number's a Media Streams bot that takes wideband audio (16 kHz L16). Each call reaches its own agent, and the
 * rows name the agent that answered.
 */
@Timeout(120)
class NumberAgentsCallTest {
    static final Duration T = Duration.ofSeconds(20);
    static final String SALES = "220000000000002";

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @Test
    void eachNumbersCallsReachTheirOwnAgent() throws Exception {
        double callerHz = Math.round(TestAudio.randomTone(400, 600));
        Path says = TestAudio.toneBetweenSilences(dir, callerHz, 10, 100, 150);
        try (MediaStreamsBot bot = MediaStreamsBot.start("--listen-hz", (int) callerHz + ",1200");
             TestServer t = TestServer.withAgents(dir, b -> b.agent(AgentKind.ECHO), config -> new AgentDirectory(
                     new AgentProfile("echo", AgentKind.ECHO, AgentTransport.WEBSOCKET,
                             AgentConfig.defaults(URI.create("ws://127.0.0.1:9/"), Secret.none()), null, false),
                     Map.of(SALES, StreamAgentCallTest.streamAgent("sales-bot", bot.url(), StreamFormat.L16_16K,
                             false))))) {
            // The default number: the echo line, and no socket to the bot.
            Path echoed = dir.resolve("default.rec");
            try (PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(echoed)
                    .withDuration(Duration.ofSeconds(30)))) {
                String callId = "wacid.NUMBER-DEFAULT";
                caller.sendAnswer(t.ring(callId, "1764003100", caller.offer(T)).sdp());
                caller.awaitConnected(T);
                assertThat(t.awaitCall(callId, c -> c.state().equals("CONNECTED")).agent()).isEqualTo("echo");
                caller.awaitPacketsReceived(100, T);
                t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 3L));
                t.awaitCall(callId, c -> c.state().equals("ENDED"));
                caller.requestClose();
                caller.awaitExit(T);
                assertThat(TestAudio.windowsAt(TestAudio.decode(caller.recording()), callerHz))
                        .as("the echo line returned the caller's tone").isGreaterThanOrEqualTo(8);
            }
            assertThat(bot.lines("connection")).as("no socket to the sales bot for the default number").isEmpty();

            // The sales number: its bot, in 16 kHz L16.
            Path heard = dir.resolve("sales.rec");
            try (PionPeer caller = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(heard)
                    .withDuration(Duration.ofSeconds(30)))) {
                String callId = "wacid.NUMBER-SALES";
                caller.sendAnswer(t.ringOn(SALES, callId, "1764003200", caller.offer(T)).sdp());
                caller.awaitConnected(T);
                CallRecord row = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
                assertThat(row.agent()).isEqualTo("sales-bot");
                assertThat(row.phoneNumberId()).isEqualTo(SALES);
                ObjectNode start = bot.await("start", T);
                assertThat(start.path("callSid").asText()).isEqualTo(callId);
                assertThat(start.path("customParameters").path("phone_number_id").asText()).isEqualTo(SALES);
                assertThat(start.path("mediaFormat").path("encoding").asText()).isEqualTo("audio/x-l16");
                assertThat(start.path("mediaFormat").path("sampleRate").asInt()).isEqualTo(16000);
                bot.await(l -> l.path("type").asText().equals("tone") && l.path("hz").asInt() == (int) callerHz, T);
                bot.send(Map.of("cmd", "say", "hz", 1200, "ms", 1500));
                bot.send(Map.of("cmd", "mark", "name", "said"));
                bot.await(l -> l.path("type").asText().equals("mark"), T);
                t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 4L));
                t.awaitCall(callId, c -> c.state().equals("ENDED"));
                bot.await("stop", T);
                caller.requestClose();
                caller.awaitExit(T);
                assertThat(TestAudio.windowsAt(TestAudio.decode(caller.recording()), 1200))
                        .as("the sales bot's answer at the edge").isGreaterThanOrEqualTo(10);
            }
            assertThat(bot.lines("start")).as("one call reached the bot").hasSize(1);
            assertThat(bot.violations()).isEmpty();
        }
    }
}
