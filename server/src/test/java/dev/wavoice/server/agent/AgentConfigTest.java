package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {

    @Test
    void defaultsFromAnEmptyEnvironment() {
        AgentConfig c = AgentConfig.fromEnvironment(Map.of());
        assertThat(c.url()).isEqualTo(URI.create("wss://api.openai.com/v1/realtime"));
        assertThat(c.model()).isEqualTo("gpt-realtime");
        assertThat(c.apiKey().isPresent()).isFalse();
        assertThat(c.turnDetection()).isEqualTo(TurnDetection.SERVER_VAD);
        assertThat(c.tools()).isEmpty();
        AgentConfig blank = AgentConfig.fromEnvironment(Map.of("OPENAI_REALTIME_URL", " ", "OPENAI_REALTIME_MODEL", ""));
        assertThat(blank.url()).as("blank counts as unset").isEqualTo(c.url());
        assertThat(blank.model()).isEqualTo("gpt-realtime");
    }

    @Test
    void theKeyNeverShowsInToString() {
        AgentConfig c = AgentConfig.fromEnvironment(Map.of("OPENAI_API_KEY", "sk-live-abc123",
                "OPENAI_REALTIME_URL", "ws://127.0.0.1:9/v1/realtime", "OPENAI_REALTIME_MODEL", "gpt-realtime-mini"));
        assertThat(c.apiKey().reveal()).isEqualTo("sk-live-abc123");
        assertThat(c.model()).isEqualTo("gpt-realtime-mini");
        assertThat(c.toString()).doesNotContain("sk-live-abc123").contains("<redacted>");
    }

    @Test
    void theConfigFileSetsWhatTheAgentIs(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.json");
        Files.writeString(file, """
                {"instructions": "You are the front desk of Hotel Sol.", "voice": "cedar",
                 "greeting": "Say: Hotel Sol, good morning.", "turn_detection": "semantic_vad",
                 "tools": [{"name": "find_booking", "description": "Looks up a booking",
                            "parameters": {"type": "object", "properties": {"code": {"type": "string"}}},
                            "url": "http://127.0.0.1:9/tools/find_booking"}]}""");
        AgentConfig c = AgentConfig.fromEnvironment(Map.of(AgentConfig.CONFIG_FILE_ENV, file.toString()));
        assertThat(c.instructions()).isEqualTo("You are the front desk of Hotel Sol.");
        assertThat(c.voice()).isEqualTo("cedar");
        assertThat(c.greeting()).isEqualTo("Say: Hotel Sol, good morning.");
        assertThat(c.turnDetection()).isEqualTo(TurnDetection.SEMANTIC_VAD);
        assertThat(c.tools()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("find_booking");
            assertThat(t.parametersSchema()).contains("\"code\"");
            assertThat(t.url()).isEqualTo(URI.create("http://127.0.0.1:9/tools/find_booking"));
        });
    }

    @Test
    void mistakesAreReportedSoAUserCanFixThem(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> AgentConfig.fromEnvironment(Map.of("OPENAI_REALTIME_URL", "https://x/v1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("OPENAI_REALTIME_URL");
        Path file = dir.resolve("agent.json");
        Files.writeString(file, "{\"tools\":[{\"name\":\"end_call\",\"parameters\":{\"type\":\"object\"}}]}");
        assertThatThrownBy(() -> AgentConfig.fromEnvironment(Map.of(AgentConfig.CONFIG_FILE_ENV, file.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("built in");
        Files.writeString(file, "{\"turn_detection\":\"push_to_talk\"}");
        assertThatThrownBy(() -> AgentConfig.fromEnvironment(Map.of(AgentConfig.CONFIG_FILE_ENV, file.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("semantic_vad");
    }

    @Test
    void toolHostsOutsideTheAllowListAreRefusedAtStartup(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.json");
        Files.writeString(file, """
                {"tools": [{"name": "lookup_order", "parameters": {"type": "object"},
                            "url": "https://orders.example.com/tools/lookup"},
                           {"name": "book", "parameters": {"type": "object"},
                            "url": "http://127.0.0.1:8099/book"}]}
                """);
        String config = file.toString();
        assertThat(AgentConfig.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", config)).tools()).hasSize(2);
        assertThat(AgentConfig.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", config,
                "WAVOICE_TOOL_HOSTS", "Orders.example.com, 127.0.0.1:8099")).tools()).hasSize(2);
        assertThatThrownBy(() -> AgentConfig.fromEnvironment(Map.of("WAVOICE_AGENT_CONFIG", config,
                "WAVOICE_TOOL_HOSTS", "orders.example.com,127.0.0.1:9000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("tool book calls 127.0.0.1:8099").hasMessageContaining("WAVOICE_TOOL_HOSTS");
    }
}
