package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.agent.stream.StreamFormat;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentDirectoryTest {

    @Test
    void withoutAFileEveryNumberGetsTheConfiguredAgent() {
        AgentDirectory d = AgentDirectory.fromEnvironment(Map.of(), AgentKind.LOCAL, AgentTransport.WEBRTC);
        assertThat(d.byNumber()).isEmpty();
        assertThat(d.forNumber("123").name()).isEqualTo("local/webrtc");
        assertThat(d.forNumber(null).recording()).isFalse();
        assertThat(AgentDirectory.fromEnvironment(Map.of("WAVOICE_RECORDING", "on"), AgentKind.ECHO,
                AgentTransport.WEBSOCKET).fallback().recording()).isTrue();
    }

    @Test
    void theStreamAgentNeedsItsUrl() {
        assertThatThrownBy(() -> AgentDirectory.fromEnvironment(Map.of(), AgentKind.STREAM, AgentTransport.WEBSOCKET))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WAVOICE_STREAM_URL");
        assertThatThrownBy(() -> AgentDirectory.fromEnvironment(Map.of("WAVOICE_STREAM_URL", "http://bot:8080/"),
                AgentKind.STREAM, AgentTransport.WEBSOCKET)).hasMessageContaining("ws:// or wss://");
        assertThatThrownBy(() -> AgentDirectory.fromEnvironment(Map.of("WAVOICE_STREAM_URL", "ws://bot:8080/",
                "WAVOICE_STREAM_FORMAT", "opus"), AgentKind.STREAM, AgentTransport.WEBSOCKET))
                .hasMessageContaining("mulaw, l16-16k or l16-24k");
        AgentProfile bot = AgentDirectory.fromEnvironment(Map.of("WAVOICE_STREAM_URL", "wss://bot.example:8443/media",
                "WAVOICE_STREAM_FORMAT", "l16-24k", "WAVOICE_STREAM_HANGUP_EVENT", "end_call"), AgentKind.STREAM,
                AgentTransport.WEBSOCKET).fallback();
        assertThat(bot.name()).isEqualTo("stream");
        assertThat(bot.stream().url()).isEqualTo(URI.create("wss://bot.example:8443/media"));
        assertThat(bot.stream().format()).isEqualTo(StreamFormat.L16_24K);
        assertThat(bot.stream().hangupEvent()).isEqualTo("end_call");
    }

    @Test
    void theFileMapsNumbersToAgentsOfTheirOwn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.json");
        Files.writeString(file, """
                {"instructions": "You are the front desk.", "recording": "on",
                 "tools": [{"name": "lookup_order", "parameters": {"type": "object"},
                            "url": "http://tools.internal/lookup"}],
                 "numbers": {
                   "220000000000002": {"name": "sales", "agent": "openai", "instructions": "You sell.",
                                       "voice": "cedar", "recording": "off"},
                   "330000000000003": {"name": "support-bot", "agent": "stream",
                                       "stream_url": "ws://10.0.0.5:9000/twilio", "stream_format": "l16-16k"},
                   "440000000000004": {"agent": "echo"}
                 }}
                """);
        AgentDirectory d = AgentDirectory.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", file.toString()),
                AgentKind.LOCAL, AgentTransport.WEBSOCKET);
        assertThat(d.fallback().realtime().instructions()).isEqualTo("You are the front desk.");
        assertThat(d.fallback().recording()).isTrue();

        AgentProfile sales = d.forNumber("220000000000002");
        assertThat(sales.name()).isEqualTo("sales");
        assertThat(sales.kind()).isEqualTo(AgentKind.OPENAI);
        assertThat(sales.realtime().instructions()).isEqualTo("You sell.");
        assertThat(sales.realtime().voice()).isEqualTo("cedar");
        assertThat(sales.realtime().tools()).extracting(AgentTool::name).as("the default's tools too")
                .containsExactly("lookup_order");
        assertThat(sales.recording()).isFalse();

        AgentProfile support = d.forNumber("330000000000003");
        assertThat(support.kind()).isEqualTo(AgentKind.STREAM);
        assertThat(support.stream().url()).isEqualTo(URI.create("ws://10.0.0.5:9000/twilio"));
        assertThat(support.stream().format()).isEqualTo(StreamFormat.L16_16K);
        assertThat(support.recording()).as("inherited").isTrue();

        assertThat(d.forNumber("440000000000004").name()).isEqualTo("echo@440000000000004");
        assertThat(d.forNumber("999")).as("an unmapped number").isSameAs(d.fallback());
        assertThat(d.all()).hasSize(4);
    }

    @Test
    void aNumbersStreamAgentTakesItsOwnSettingsOverTheDefaultStream(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agents.json");
        Files.writeString(file, """
                {"numbers": {
                   "220000000000002": {"stream_url": "ws://10.0.0.6:9000/sales", "hangup_event": "bye"},
                   "330000000000003": {"stream_format": "l16-24k"}}}
                """);
        AgentDirectory d = AgentDirectory.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", file.toString(),
                "WAVOICE_STREAM_URL", "ws://10.0.0.5:9000/bot", "WAVOICE_STREAM_FORMAT", "l16-16k"),
                AgentKind.STREAM, AgentTransport.WEBSOCKET);
        AgentProfile sales = d.forNumber("220000000000002");
        assertThat(sales.stream().url()).isEqualTo(URI.create("ws://10.0.0.6:9000/sales"));
        assertThat(sales.stream().format()).as("the default's").isEqualTo(StreamFormat.L16_16K);
        assertThat(sales.stream().hangupEvent()).isEqualTo("bye");
        AgentProfile other = d.forNumber("330000000000003");
        assertThat(other.stream().url()).as("the default's").isEqualTo(URI.create("ws://10.0.0.5:9000/bot"));
        assertThat(other.stream().format()).isEqualTo(StreamFormat.L16_24K);
        assertThat(other.stream().hangupEvent()).isEqualTo("hangup");
    }

    @Test
    void aBadNumberEntryIsAStartupError(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> directory(dir, "{\"numbers\": {\"sales\": {\"agent\": \"echo\"}}}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("phone number ids");
        assertThatThrownBy(() -> directory(dir, "{\"numbers\": {\"123\": {\"agent\": \"stream\"}}}"))
                .hasMessageContaining("stream_url");
        assertThatThrownBy(() -> directory(dir, "{\"numbers\": {\"123\": {\"agent\": \"robot\"}}}"))
                .hasMessageContaining("WAVOICE_AGENT must be one of");
        assertThatThrownBy(() -> directory(dir, "{\"numbers\": {\"123\": {\"recording\": \"maybe\"}}}"))
                .hasMessageContaining("recording must be on or off");
        assertThatThrownBy(() -> directory(dir, "{\"numbers\": [1, 2]}")).hasMessageContaining("\"numbers\"");
    }

    private static AgentDirectory directory(Path dir, String json) throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, json);
        return AgentDirectory.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", file.toString()), AgentKind.LOCAL,
                AgentTransport.WEBSOCKET);
    }
}
