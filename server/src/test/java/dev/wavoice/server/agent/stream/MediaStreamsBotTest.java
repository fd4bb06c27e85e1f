package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The test bot itself is tested: its Python self-test runs here so {@code mvn verify} runs it, and the Java driver
 * is checked against a live bot with a plain JDK WebSocket standing in for the caller's side.
 */
class MediaStreamsBotTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void pythonSelfTestPasses() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("python3", "-m", "unittest", "-v")
                .directory(MediaStreamsBot.scriptDir().toFile())
                .redirectErrorStream(true);
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        boolean finished = process.waitFor(3, TimeUnit.MINUTES);
        if (!finished) {
            process.destroyForcibly();
        }
        String report = new String(output, StandardCharsets.UTF_8);
        assertThat(finished && process.exitValue() == 0).as(report).isTrue();
        assertThat(report).contains("OK").doesNotContain("skipped");
    }

    @Test
    void driverSeesStartAndCatchesAMarkEchoedBeforeItsAudioPlayed() throws Exception {
        long before = System.nanoTime();
        try (MediaStreamsBot bot = MediaStreamsBot.start("--listen-hz", "440")) {
            ObjectNode ready = bot.await("ready", WAIT);
            // The bot's clock is the JVM's: its ready time lies between our two readings.
            assertThat(ready.get("tNs").asLong()).isBetween(before, System.nanoTime());

            List<JsonNode> received = new CopyOnWriteArrayList<>();
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(bot.url(), new Collector(received)).get(10, TimeUnit.SECONDS);
            socket.sendText(MediaStreamsBot.fixture("connected.json").toString(), true).get();
            ObjectNode start = MediaStreamsBot.fixture("start.json");
            socket.sendText(start.toString(), true).get();
            String sid = start.path("streamSid").asText();
            assertThat(bot.await("start", WAIT).path("callSid").asText())
                    .isEqualTo(start.path("start").path("callSid").asText());

            bot.send(Map.of("cmd", "say", "hz", 880, "ms", 1000, "streamSid", sid));
            bot.send(Map.of("cmd", "mark", "name", "m1", "streamSid", "*"));
            Awaitility.await().atMost(WAIT).until(() -> received.size() == 51);
            assertThat(received.get(49).path("media").path("payload").asText()).hasSize(216);
            assertThat(received.get(50)).isEqualTo(JSON.readTree(
                    "{\"event\":\"mark\",\"streamSid\":\"" + sid + "\",\"mark\":{\"name\":\"m1\"}}"));

            ObjectNode echo = MediaStreamsBot.fixture("mark.json");
            echo.put("sequenceNumber", "2");
            echo.put("streamSid", sid);
            echo.putObject("mark").put("name", "m1");
            socket.sendText(echo.toString(), true).get();
            ObjectNode violation = bot.await("violation", WAIT);
            assertThat(violation.path("detail").asText()).contains("before its audio could have played");
            assertThat(bot.await("mark", WAIT).path("dueInMs").asDouble()).isGreaterThan(500);

            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            assertThat(bot.await("closed", WAIT).path("code").asInt()).isEqualTo(1000);
        }
    }

    /** Collects whole text messages from the bot (the JDK calls a listener from one thread at a time). */
    private static final class Collector implements WebSocket.Listener {
        private final List<JsonNode> received;
        private final StringBuilder partial = new StringBuilder();

        Collector(List<JsonNode> received) {
            this.received = received;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }
}
