package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.ConfigException;
import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.config.WavoiceConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

    static WavoiceConfig parse(String... args) {
        return parse(Map.of(), args);
    }

    static WavoiceConfig parse(Map<String, String> env, String... args) {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.config(env);
    }

    @Test
    void flagsSetEverySetting() {
        WavoiceConfig c = parse("--http-port=9090", "--http-host=127.0.0.1", "--media-port=41000",
                "--public-ip=198.51.100.7", "--db-url=jdbc:postgresql://db:5432/wavoice", "--app-secret=s",
                "--verify-token=v", "--access-token=a", "--phone-number-id=110000000000001",
                "--graph-url=http://127.0.0.1:9999", "--graph-version=v21.0", "--agent=echo", "--max-calls=7",
                "--admin-token=adm", "--ring-timeout=30", "--max-call-duration=600", "--media-connect-timeout=5");
        assertThat(c.httpPort()).isEqualTo(9090);
        assertThat(c.loopbackOnly()).isTrue();
        assertThat(c.mediaPort()).isEqualTo(41000);
        assertThat(c.publicIp()).isEqualTo("198.51.100.7");
        assertThat(c.dbUrl()).isEqualTo("jdbc:postgresql://db:5432/wavoice");
        assertThat(c.appSecret().reveal()).isEqualTo("s");
        assertThat(c.phoneNumberId()).isEqualTo("110000000000001");
        assertThat(c.graphUrl().toString()).isEqualTo("http://127.0.0.1:9999");
        assertThat(c.graphVersion()).isEqualTo("v21.0");
        assertThat(c.agent()).isEqualTo(AgentKind.ECHO);
        assertThat(c.maxCalls()).isEqualTo(7);
        assertThat(c.ringTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxCallDuration()).isEqualTo(Duration.ofSeconds(600));
        assertThat(c.mediaConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theStartUpWarmUpIsOnUnlessTurnedOffByFlagOrEnvironment() {
        assertThat(parse().warmup()).isTrue();
        assertThat(parse(Map.of("WAVOICE_WARMUP", "false")).warmup()).isFalse();
        assertThat(parse(Map.of("WAVOICE_WARMUP", "0")).warmup()).isFalse();
        assertThat(parse("--no-warmup").warmup()).isFalse();
        assertThat(parse(Map.of("WAVOICE_WARMUP", "false"), "--warmup").warmup()).as("the flag wins").isTrue();
        assertThatThrownBy(() -> parse(Map.of("WAVOICE_WARMUP", "maybe"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("WAVOICE_WARMUP");
    }

    @Test
    void documentedDefaultsApplyWhenNothingIsSet() {
        WavoiceConfig c = parse(Map.of("WAVOICE_HTTP_PORT", "", "WAVOICE_DB_URL", " "));
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.mediaPort()).isEqualTo(40000);
        assertThat(c.graphUrl().toString()).isEqualTo("https://graph.facebook.com");
        assertThat(c.graphVersion()).isEqualTo("v23.0");
        assertThat(c.dbUrl()).startsWith("jdbc:h2:file:").contains("data");
        assertThat(c.agent()).isEqualTo(AgentKind.LOCAL);
        assertThat(c.agentUnavailable()).as("reject on permanent failures, apology otherwise").isEqualTo(AgentUnavailable.AUTO);
        assertThat(c.appSecret().isPresent()).isFalse();
    }

    @Test
    void environmentVariablesAreReadAndFlagsWinOverThem() {
        Map<String, String> env = Map.of("WAVOICE_HTTP_PORT", "7070", "WAVOICE_MEDIA_PORT", "41001",
                "WHATSAPP_APP_SECRET", "from-env", "WAVOICE_MAX_CALLS", "3", "OPENAI_API_KEY", "sk-test",
                "WHATSAPP_GRAPH_URL", "http://127.0.0.1:1234", "WAVOICE_PUBLIC_IP", "203.0.113.9");
        WavoiceConfig c = parse(env, "--max-calls=9");
        assertThat(c.httpPort()).isEqualTo(7070);
        assertThat(c.mediaPort()).isEqualTo(41001);
        assertThat(c.appSecret().reveal()).isEqualTo("from-env");
        assertThat(c.maxCalls()).isEqualTo(9);
        assertThat(c.agent()).isEqualTo(AgentKind.OPENAI);
        assertThat(c.graphUrl().getPort()).isEqualTo(1234);
        assertThat(c.publicIp()).isEqualTo("203.0.113.9");
        assertThat(parse(Map.of("WAVOICE_AGENT_UNAVAILABLE", "reject")).agentUnavailable()).isEqualTo(AgentUnavailable.REJECT);
        assertThat(parse(Map.of("WAVOICE_AGENT_UNAVAILABLE", "Apology")).agentUnavailable()).isEqualTo(AgentUnavailable.APOLOGY);
        assertThatThrownBy(() -> parse(Map.of("WAVOICE_AGENT_UNAVAILABLE", "hangup"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto, apology or reject");
        assertThat(parse(Map.of("WAVOICE_AGENT", "pcm-echo")).agent()).isEqualTo(AgentKind.PCM_ECHO);
        assertThatThrownBy(() -> parse(Map.of("WAVOICE_HTTP_PORT", "eighty"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("WAVOICE_HTTP_PORT");
    }

    @Test
    void callPermissionSettingsComeFromTheEnvironmentOrFlags() {
        assertThat(parse().permissions()).isEqualTo(PermissionSettings.DEFAULT);
        assertThat(parse().permissions().template()).as("no template unless configured").isNull();
        PermissionSettings env = parse(Map.of("WAVOICE_PERMISSION_TEMPLATE", "sample_cpr_template",
                "WAVOICE_PERMISSION_TEMPLATE_LANGUAGE", "en_US", "WAVOICE_PERMISSION_CACHE_SECONDS", "0")).permissions();
        assertThat(env).isEqualTo(new PermissionSettings("sample_cpr_template", "en_US", Duration.ZERO));
        assertThat(parse(Map.of("WAVOICE_PERMISSION_TEMPLATE", "a"), "--permission-template=callback_cpr",
                "--permission-cache-seconds=120").permissions())
                .isEqualTo(new PermissionSettings("callback_cpr", "en", Duration.ofSeconds(120)));
        assertThatThrownBy(() -> parse(Map.of("WAVOICE_PERMISSION_TEMPLATE", "Call Me!")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WAVOICE_PERMISSION_TEMPLATE");
        assertThatThrownBy(() -> parse("--permission-cache-seconds=-1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WAVOICE_PERMISSION_CACHE_SECONDS");
    }

    @Test
    void badValuesAreRefusedWithTheVariableName() {
        assertThatThrownBy(() -> parse("--graph-version=23")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("WHATSAPP_GRAPH_VERSION");
        assertThatThrownBy(() -> parse("--db-url=mysql://x")).hasMessageContaining("WAVOICE_DB_URL");
        assertThatThrownBy(() -> parse("--max-calls=0")).hasMessageContaining("WAVOICE_MAX_CALLS");
        assertThatThrownBy(() -> parse("--agent=gpt")).hasMessageContaining("WAVOICE_AGENT");
        assertThatThrownBy(() -> parse("--agent-unavailable=hold")).hasMessageContaining("WAVOICE_AGENT_UNAVAILABLE");
        assertThatThrownBy(() -> parse("--graph-url=ftp://x")).hasMessageContaining("WHATSAPP_GRAPH_URL");
    }

    @Test
    void secretsNeverPrintTheirValue() {
        WavoiceConfig c = parse("--app-secret=hunter2", "--access-token=EAAG-secret", "--admin-token=adm-secret");
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("EAAG-secret").doesNotContain("adm-secret")
                .contains("<redacted>");
    }

    @Test
    void agentDefaultsToOpenAiOnlyWithAKey() {
        assertThat(AgentKind.resolve(null, true)).isEqualTo(AgentKind.OPENAI);
        assertThat(AgentKind.resolve("", false)).isEqualTo(AgentKind.LOCAL);
        assertThat(AgentKind.resolve("Local", true)).isEqualTo(AgentKind.LOCAL);
    }
}
