package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Fuzzed agent config files ({@code WAVOICE_AGENT_CONFIG}) over the defaults. Invariants: a file is accepted or
 * refused with a {@link ConfigException} (the startup error a user reads), never another exception; an accepted
 * config's tools have valid, distinct names, a JSON-object schema and an http(s) URL with a host or none, and the
 * config becomes a {@code session.update}; the tool-host allow-list refuses only with a {@link ConfigException}.
 */
class AgentConfigFileFuzzTest {
    static final AgentConfig BASE = AgentConfig.defaults(URI.create("wss://127.0.0.1:9/v1/realtime"), Secret.none());
    static final RealtimeClientEvents OUT = new RealtimeClientEvents(new ObjectMapper(), true);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path FILE = Path.of("agent.json");

    @FuzzTest
    void configFilesAreAppliedOrRefusedWithAConfigError(byte[] file) throws Exception {
        AgentConfig config;
        try {
            config = AgentConfigFile.apply(BASE, new String(file, StandardCharsets.UTF_8), FILE);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        Set<String> names = new HashSet<>();
        for (AgentTool tool : config.tools()) {
            assertThat(tool.name()).matches("[A-Za-z0-9_-]{1,64}").isNotEqualTo(AgentTool.END_CALL);
            assertThat(names.add(tool.name())).as("tool %s declared twice", tool.name()).isTrue();
            assertThat(JSON.readTree(tool.parametersSchema()).isObject()).isTrue();
            if (tool.url() != null) {
                assertThat(tool.url().getScheme().toLowerCase(Locale.ROOT)).isIn("http", "https");
                assertThat(tool.url().getHost()).as("url %s", tool.url()).isNotNull();
            }
        }
        assertThat(config.turnDetection()).isNotNull();
        assertThat(JSON.readTree(OUT.sessionUpdate(config)).path("session").isObject()).isTrue();
        try {
            ToolHosts.parse("127.0.0.1, tools.example.internal:8443").check(config.tools());
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(ToolHosts.ENV);
        }
        assertThat(List.copyOf(config.tools())).hasSameSizeAs(names);
    }
}
