package dev.wavoice.server.setup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.cli.Main;
import dev.wavoice.server.cli.SetupCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code wavoice setup} against a fake Graph holding a number's settings (shaped after Meta's call settings
 * reference, see {@code src/test/resources/setup/README.md}): the diff it shows, that only {@code --apply} sends
 * anything and then exactly the fields shown, the read-back, Graph errors, and that the token is never printed.
 */
class SetupCommandTest {
    private static final String TOKEN = "EAAGtestSetupToken0123456789abcdef";
    private static final String NUMBER_ID = "106540352242922";
    private static final ObjectMapper JSON = new ObjectMapper();
    // A diff line: two spaces, a field name, then "current -> wanted".
    private static final Pattern CHANGE_LINE = Pattern.compile("(?m)^  ([a-z_]+) +(.+) -> (.+)$");

    @TempDir
    Path dir;

    record Run(int exit, String out) {
    }

    private Run setup(SettingsFakeGraph graph, String... args) throws Exception {
        SetupCommand command = new SetupCommand();
        new CommandLine(command).parseArgs(args);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Map<String, String> env = Map.of(
                "WHATSAPP_ACCESS_TOKEN", TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID", NUMBER_ID,
                "WHATSAPP_GRAPH_URL", graph.url().toString(),
                "WHATSAPP_GRAPH_VERSION", "v23.0");
        int exit = command.run(env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain(TOKEN).doesNotContain(TOKEN.substring(4, 20));
        // The token reached Graph in the Authorization header of every request, and only there.
        graph.requests().forEach(r -> {
            assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
            assertThat(r.path()).isEqualTo("/v23.0/" + NUMBER_ID + "/settings");
            assertThat(r.body()).doesNotContain(TOKEN);
        });
        return new Run(exit, out);
    }

    private static Set<String> fieldsShown(String out) {
        Set<String> fields = new TreeSet<>();
        Matcher m = CHANGE_LINE.matcher(out);
        while (m.find()) {
            fields.add(m.group(1));
        }
        return fields;
    }

    private Path file(String fixture) throws Exception {
        Path path = dir.resolve(fixture);
        Files.writeString(path, SettingsFakeGraph.fixture(fixture));
        return path;
    }

    @Test
    void aDisabledNumberShowsOneLinePerChangedFieldAndSendsNothingWithoutApply() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-disabled.json")) {
            Run run = setup(graph, "--calling", "enabled", "--call-icon", "default", "--callback-permission", "ENABLED");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).containsPattern("(?m)^  status +DISABLED -> ENABLED$")
                    .containsPattern("(?m)^  callback_permission_status +DISABLED -> ENABLED$")
                    .contains("2 to change; nothing sent");
            // The icon is DEFAULT already: not a change, not shown.
            assertThat(fieldsShown(run.out())).containsExactly("callback_permission_status", "status");
            assertThat(graph.requests()).extracting(SettingsFakeGraph.Request::method).containsExactly("GET");
        }
    }

    @Test
    void applySendsExactlyTheFieldsShownAndReportsTheReadBack() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-disabled.json")) {
            Run run = setup(graph, "--file", file("post-settings-calling-enabled.json").toString(), "--apply");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).containsPattern("(?m)^  status +DISABLED -> ENABLED$")
                    .containsPattern("(?m)^  call_hours +\\(unset\\) -> \\{\"status\":\"ENABLED\",\"timezone_id\":\"America/Manaus\"")
                    .containsPattern("(?m)^  callback_permission_status +DISABLED -> ENABLED$")
                    .contains("applied 3; Graph answered success")
                    .contains("read back: the settings now match");
            assertThat(graph.requests()).extracting(SettingsFakeGraph.Request::method)
                    .containsExactly("GET", "POST", "GET");

            JsonNode posted = JSON.readTree(graph.posts().getFirst().body());
            JsonNode wanted = JSON.readTree(SettingsFakeGraph.fixture("post-settings-calling-enabled.json")).get("calling");
            assertThat(posted.properties()).extracting(Map.Entry::getKey).containsExactly("calling");
            Set<String> sent = new TreeSet<>();
            posted.get("calling").fieldNames().forEachRemaining(sent::add);
            assertThat(sent).isEqualTo(fieldsShown(run.out()))
                    .containsExactly("call_hours", "callback_permission_status", "status");
            // call_icon_visibility was DEFAULT on both sides, so it is not sent; the rest is sent as the file has it.
            for (String field : sent) {
                assertThat(posted.get("calling").get(field)).as(field).isEqualTo(wanted.get(field));
            }
        }
    }

    @Test
    void flagsOverrideTheFileAndCallHoursComeFromTheirOwnFile() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-enabled.json")) {
            Run run = setup(graph, "--file", file("post-settings-calling-enabled.json").toString(),
                    "--call-hours-file", file("call-hours-weekdays.json").toString(),
                    "--call-icon", "disable-all", "--apply");

            assertThat(run.exit()).isZero();
            assertThat(fieldsShown(run.out())).containsExactly("call_hours", "call_icon_visibility");
            assertThat(run.out()).containsPattern("(?m)^  call_icon_visibility +DEFAULT -> DISABLE_ALL$")
                    .contains("read back: the settings now match");
            JsonNode posted = JSON.readTree(graph.posts().getFirst().body()).get("calling");
            assertThat(posted.get("call_icon_visibility").asText()).isEqualTo("DISABLE_ALL");
            assertThat(posted.get("call_hours"))
                    .isEqualTo(JSON.readTree(SettingsFakeGraph.fixture("call-hours-weekdays.json")));
            assertThat(posted.size()).isEqualTo(2);
        }
    }

    @Test
    void settingsAlreadyAsWantedSendNothingEvenWithApply() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-enabled.json")) {
            Run run = setup(graph, "--file", file("post-settings-calling-enabled.json").toString(),
                    "--calling", "enabled", "--apply");

            assertThat(run.exit()).isZero();
            assertThat(run.out()).contains("nothing to change");
            assertThat(fieldsShown(run.out())).isEmpty();
            assertThat(graph.posts()).isEmpty();
            assertThat(graph.requests()).hasSize(1);
        }
    }

    @Test
    void anExpiredTokenFailsWithMetasMessageAndTheAdviceAndSendsNoChange() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-disabled.json")
                .failing("graph-error-190-expired-token.json")) {
            Run run = setup(graph, "--calling", "enabled", "--apply");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("fail  Graph error 190/463: Error validating access token: Session has expired")
                    .contains("what to do: token expired or invalid: make a new system-user token")
                    .doesNotContain("->");
            assertThat(graph.posts()).isEmpty();
        }
    }

    @Test
    void aChangeGraphTakesButDoesNotKeepIsReportedAsNotMatching() throws Exception {
        try (var graph = new SettingsFakeGraph("get-settings-calling-disabled.json").ignoringWrites()) {
            Run run = setup(graph, "--calling", "enabled", "--apply");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.out()).contains("applied 1; Graph answered success")
                    .contains("read back: 1 still differ");
            assertThat(graph.posts()).hasSize(1);
            assertThat(JSON.readTree(graph.posts().getFirst().body()))
                    .isEqualTo(JSON.readTree("{\"calling\":{\"status\":\"ENABLED\"}}"));
        }
    }

    @Test
    void wrongInputIsRefusedBeforeGraphIsAsked() throws Exception {
        Path sip = dir.resolve("sip.json");
        Files.writeString(sip, "{\"calling\":{\"status\":\"ENABLED\",\"sip\":{\"status\":\"ENABLED\"}}}");
        try (var graph = new SettingsFakeGraph("get-settings-calling-disabled.json")) {
            Run badValue = setup(graph, "--calling", "maybe", "--apply");
            Run sipBlock = setup(graph, "--file", sip.toString(), "--apply");
            Run nothing = setup(graph, "--apply");

            assertThat(badValue.exit()).isEqualTo(2);
            assertThat(badValue.out()).contains("status must be one of [DISABLED, ENABLED]");
            assertThat(sipBlock.exit()).isEqualTo(2);
            assertThat(sipBlock.out()).contains("unknown calling setting 'sip'");
            assertThat(nothing.exit()).isEqualTo(2);
            assertThat(nothing.out()).contains("nothing wanted");
            assertThat(graph.requests()).isEmpty();
        }
    }

    @Test
    void wavoiceHasTheSetupSubcommand() {
        CommandLine wavoice = new CommandLine(new Main());
        assertThat(wavoice.getSubcommands()).containsKey("setup");
        assertThat((Object) wavoice.getSubcommands().get("setup").getCommand()).isInstanceOf(SetupCommand.class);
        assertThat(wavoice.getSubcommands().get("setup").getCommandSpec().optionsMap())
                .containsKeys("--calling", "--call-icon", "--callback-permission", "--call-hours-file", "--file",
                        "--apply", "--phone-number-id", "--graph-url", "--graph-version");
    }

    @Test
    void aGraphNobodyListensOnIsNamedWithTheReason() throws Exception {
        var closed = new SettingsFakeGraph("get-settings-calling-disabled.json");
        closed.close();
        Run run = setup(closed, "--calling", "enabled", "--apply", "--timeout-ms", "2000");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("fail  cannot reach " + closed.url().getAuthority() + ": connection refused")
                .contains("what to do: check this host's route to " + closed.url().getAuthority());
    }
}
