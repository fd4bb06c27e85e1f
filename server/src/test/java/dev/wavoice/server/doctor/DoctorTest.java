package dev.wavoice.server.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.cli.DoctorCommand;
import dev.wavoice.server.store.Database;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code wavoice doctor} against a fake Graph and a fake OpenAI that answer with the fixtures' payloads: a healthy
 * setup passes, each broken piece gives its own fail line and advice, a hung Graph costs only its own checks, and no
 * secret is ever printed.
 */
class DoctorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_TOKEN = "EAAG-doctor-test-token-7f3a";
    private static final String APP_SECRET = "app-secret-test-91b2";
    private static final String VERIFY_TOKEN = "verify-token-test-55c1";
    private static final String OPENAI_KEY = "sk-test-openai-key-0d9e";
    private static final String ADMIN_TOKEN = "admin-token-test-3c8d";
    private static final List<String> SECRETS = List.of(ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, OPENAI_KEY,
            ADMIN_TOKEN);
    private static final String PHONE_NUMBER_ID = "106540352242922";

    private FakeGraph graph;
    private FakeOpenAi openai;
    private Map<String, String> env;

    /** What one run printed, and its exit code. */
    record Run(int exit, String out, JsonNode report) {
        JsonNode check(String name) {
            for (JsonNode c : report.path("checks")) {
                if (c.path("name").asText().equals(name)) {
                    return c;
                }
            }
            throw new AssertionError("no check " + name + " in " + out);
        }

        String status(String name) {
            return check(name).path("status").asText();
        }
    }

    @BeforeEach
    void start() throws Exception {
        graph = new FakeGraph();
        openai = new FakeOpenAi(OPENAI_KEY);
        String dbUrl = "jdbc:h2:mem:doctor-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        try (Database db = new Database(dbUrl)) {
            db.migrate();
        }
        env = new HashMap<>();
        env.put("WAVOICE_HTTP_HOST", "127.0.0.1");
        env.put("WAVOICE_MEDIA_HOST", "127.0.0.1");
        env.put("WAVOICE_MEDIA_PORT", "0");
        env.put("WAVOICE_PUBLIC_IP", "127.0.0.1");
        env.put("WAVOICE_DB_URL", dbUrl);
        env.put("WAVOICE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("WHATSAPP_APP_SECRET", APP_SECRET);
        env.put("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN);
        env.put("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN);
        env.put("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID);
        env.put("WHATSAPP_GRAPH_URL", graph.url().toString());
        env.put("WAVOICE_AGENT", "openai");
        env.put("OPENAI_API_KEY", OPENAI_KEY);
        env.put("OPENAI_REALTIME_URL", openai.realtimeUrl().toString());
        env.put(OpenAiCheck.BASE_URL_ENV, openai.restBase().toString());
    }

    @AfterEach
    void stop() {
        graph.close();
        openai.close();
    }

    /** Runs {@code wavoice doctor --json} and {@code wavoice doctor}; both printouts are scanned for secrets. */
    private Run doctor() throws Exception {
        Run json = once("--json");
        Run text = once();
        assertThat(text.exit()).isEqualTo(json.exit());
        for (JsonNode c : json.report().path("checks")) {
            // the text form has one line per check, its status first, and the same words
            assertThat(text.out()).containsPattern("(?m)^" + c.path("status").asText() + " +"
                    + java.util.regex.Pattern.quote(c.path("name").asText()) + " ");
        }
        return json;
    }

    private Run once(String... args) throws Exception {
        DoctorCommand command = new DoctorCommand();
        new CommandLine(command).parseArgs(args);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = command.run(env, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        for (String secret : SECRETS) {
            assertThat(out).as("output must not carry a secret").doesNotContain(secret);
        }
        assertThat(out).doesNotContain("sk-test-");
        return new Run(exit, out, args.length > 0 ? JSON.readTree(out) : null);
    }

    @Test
    void aHealthySetupPasses() throws Exception {
        Run run = doctor();

        assertThat(run.exit()).isZero();
        assertThat(run.report().path("checks")).hasSize(9);
        for (JsonNode c : run.report().path("checks")) {
            assertThat(c.path("status").asText()).as(c.toString()).isNotEqualTo("fail");
        }
        assertThat(run.status("configuration")).isEqualTo("ok");
        assertThat(run.check("graph token").path("found").asText())
                .contains("+1 555-010-0123", "Wavoice Test Line", "GREEN");
        assertThat(run.check("calling enabled").path("found").asText()).startsWith("calling ENABLED");
        assertThat(run.status("graph version")).isEqualTo("ok");
        assertThat(run.check("openai").path("found").asText()).contains("gpt-realtime", "session.created");
        assertThat(run.status("media")).isEqualTo("ok");
        assertThat(run.check("database").path("found").asText()).isEqualTo("h2 reachable; migrations current");
        assertThat(run.check("opus").path("found").asText()).containsAnyOf("libopus", "concentus");
        assertThat(run.status("clock")).isEqualTo("ok");
        assertThat(run.check("clock").path("found").asText()).containsPattern("s (ahead of|behind) 127\\.0\\.0\\.1");
        // the token went where Graph expects it, for both reads of both runs
        assertThat(graph.authorizations()).hasSize(4).containsOnly("Bearer " + ACCESS_TOKEN);
        assertThat(openai.sessions()).isEqualTo(2);
    }

    @Test
    void anExpiredTokenFailsWithWhatToDo() throws Exception {
        graph.failing(401, "graph-error-190-expired-token.json");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode token = run.check("graph token");
        assertThat(token.path("status").asText()).isEqualTo("fail");
        assertThat(token.path("found").asText()).startsWith("Graph error 190/463: Error validating access token");
        assertThat(token.path("advice").asText()).startsWith("token expired or invalid: make a new system-user token");
        assertThat(run.status("openai")).isEqualTo("ok");
    }

    @Test
    void aTokenWithoutTheWhatsAppPermissionsFails() throws Exception {
        for (String fixture : List.of("graph-error-10-permission.json", "graph-error-200-permission.json")) {
            graph.failing(403, fixture);

            Run run = doctor();

            assertThat(run.exit()).isEqualTo(1);
            JsonNode token = run.check("graph token");
            assertThat(token.path("status").asText()).isEqualTo("fail");
            assertThat(token.path("found").asText()).containsPattern("Graph error (10|200): \\(#(10|200)\\)");
            assertThat(token.path("advice").asText())
                    .startsWith("token lacks whatsapp_business_messaging / whatsapp_business_management");
        }
    }

    @Test
    void callingDisabledFailsAndNamesTheSetupCommand() throws Exception {
        graph.settings("graph-settings-calling-disabled.json");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.status("graph token")).isEqualTo("ok");
        JsonNode calling = run.check("calling enabled");
        assertThat(calling.path("status").asText()).isEqualTo("fail");
        assertThat(calling.path("found").asText()).startsWith("calling DISABLED");
        assertThat(calling.path("advice").asText()).contains("wavoice setup --calling enabled --apply");
    }

    @Test
    void anUnknownPhoneNumberIdFails() throws Exception {
        graph.failing(400, "graph-error-100-unknown-object.json");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode token = run.check("graph token");
        assertThat(token.path("found").asText()).startsWith("Graph error 100/33: Unsupported get request.");
        assertThat(token.path("advice").asText()).startsWith("WHATSAPP_PHONE_NUMBER_ID unknown");
        assertThat(run.check("calling enabled").path("advice").asText()).startsWith("WHATSAPP_PHONE_NUMBER_ID unknown");
    }

    @Test
    void aRefusedOpenAiKeyFailsBeforeAnySessionIsOpened() throws Exception {
        env.put("OPENAI_API_KEY", "sk-test-wrong-key-5a5a");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode check = run.check("openai");
        assertThat(check.path("found").asText()).isEqualTo("OPENAI_API_KEY refused (HTTP 401, invalid_api_key)");
        assertThat(check.path("advice").asText()).startsWith("set a valid OPENAI_API_KEY");
        assertThat(run.out()).doesNotContain("wrong-key");
        assertThat(openai.sessions()).isZero();
        assertThat(run.status("graph token")).isEqualTo("ok");
    }

    @Test
    void anUnknownModelFails() throws Exception {
        openai.modelMissing();

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode check = run.check("openai");
        assertThat(check.path("found").asText())
                .isEqualTo("model gpt-realtime unknown or no access (HTTP 404, model_not_found)");
        assertThat(check.path("advice").asText()).startsWith("set OPENAI_REALTIME_MODEL");
    }

    @Test
    void aModelWithoutRealtimeAccessFailsWithTheSessionsErrorCode() throws Exception {
        openai.realtimeRefuses("realtime-error-model-not-found.json");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode check = run.check("openai");
        assertThat(check.path("found").asText()).startsWith("Realtime session refused: model_not_found (");
        // the hint AgentFailures gives a call refused the same way
        assertThat(check.path("advice").asText()).startsWith("OPENAI_REALTIME_MODEL names a model");
    }

    @Test
    void aHungGraphFailsItsOwnChecksWithinTheirTimeoutAndNothingElse() throws Exception {
        graph.hang();

        long started = System.nanoTime();
        Run run = once("--json");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(run.exit()).isEqualTo(1);
        for (String name : List.of("graph token", "calling enabled")) {
            JsonNode check = run.check(name);
            assertThat(check.path("status").asText()).isEqualTo("fail");
            assertThat(check.path("found").asText()).startsWith("no answer from " + graph.url().getAuthority()
                    + " within ");
        }
        for (String name : List.of("configuration", "graph version", "openai", "media", "database")) {
            assertThat(run.status(name)).as(name).isEqualTo("ok");
        }
        assertThat(run.report().path("tookMs").asLong()).isBetween(2000L, 2900L);
        assertThat(tookMs).isLessThan(3500);
    }

    @Test
    void aGraphNobodyListensAtIsNamedWithWhy() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        env.put("WHATSAPP_GRAPH_URL", "http://127.0.0.1:" + closedPort);

        Run run = doctor();

        JsonNode token = run.check("graph token");
        assertThat(token.path("status").asText()).isEqualTo("fail");
        assertThat(token.path("found").asText()).startsWith("cannot reach 127.0.0.1:" + closedPort + ": ")
                .doesNotEndWith("null");
        assertThat(token.path("advice").asText()).contains("WHATSAPP_GRAPH_URL");
    }

    @Test
    void aConfigurationThatDoesNotParseFailsAndTheRestIsNotChecked() throws Exception {
        env.put("WAVOICE_MAX_CALLS", "0");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.check("configuration").path("found").asText())
                .isEqualTo("does not parse: WAVOICE_MAX_CALLS must be at least 1 (got 0)");
        assertThat(run.check("graph token").path("found").asText()).startsWith("not checked");
        assertThat(graph.authorizations()).isEmpty();
    }

    @Test
    void placeholdersAndMissingSecretsAreNamedNeverShown() throws Exception {
        env.put("WHATSAPP_APP_SECRET", "CHANGE-ME");
        env.put("WAVOICE_PUBLIC_IP", "<your public ip>");

        Run run = doctor();

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.check("configuration").path("found").asText())
                .isEqualTo("placeholder values in WAVOICE_PUBLIC_IP, WHATSAPP_APP_SECRET");

        env.put("WHATSAPP_APP_SECRET", APP_SECRET);
        env.put("WAVOICE_PUBLIC_IP", "127.0.0.1");
        env.remove("WHATSAPP_VERIFY_TOKEN");
        assertThat(doctor().check("configuration").path("found").asText()).isEqualTo("not set: WHATSAPP_VERIFY_TOKEN");
    }

    @Test
    void anExpiredGraphVersionWarns() throws Exception {
        env.put("WHATSAPP_GRAPH_VERSION", "v17.0");

        Run run = doctor();

        assertThat(run.exit()).isZero();
        JsonNode check = run.check("graph version");
        assertThat(check.path("status").asText()).isEqualTo("warn");
        assertThat(check.path("found").asText()).startsWith("v17.0 is no longer served");
        assertThat(check.path("advice").asText()).startsWith("set WHATSAPP_GRAPH_VERSION to v23.0");
    }
}
