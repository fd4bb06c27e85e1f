package dev.wavoice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    static WavoiceConfig parse(Map<String, String> env, String... args) {
        DemoCommand cmd = new DemoCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.config(env);
    }

    @Test
    void theDemoStaysOnThisMachineByDefault() {
        WavoiceConfig c = parse(Map.of());
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.loopbackOnly()).isTrue();
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.mediaHost()).isEqualTo("127.0.0.1");
        assertThat(c.mediaPort()).isZero(); // any free port: a running `wavoice serve` keeps its own
        assertThat(c.agent()).isEqualTo(AgentKind.LOCAL);
    }

    @Test
    void environmentAndFlagsStillApply() {
        WavoiceConfig c = parse(Map.of("WAVOICE_HTTP_HOST", "0.0.0.0", "WAVOICE_MEDIA_PORT", "41000",
                "WHATSAPP_APP_SECRET", "dev-secret", "WAVOICE_ADMIN_TOKEN", "adm"), "--http-port=9090", "--agent=echo");
        assertThat(c.httpHost()).isEqualTo("0.0.0.0");
        assertThat(c.httpPort()).isEqualTo(9090);
        assertThat(c.mediaPort()).isEqualTo(41000);
        assertThat(c.appSecret().reveal()).isEqualTo("dev-secret");
        assertThat(c.adminToken().reveal()).isEqualTo("adm");
        assertThat(c.agent()).isEqualTo(AgentKind.ECHO);
    }
}
