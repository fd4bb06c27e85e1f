package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.slf4j.LoggerFactory;

/**
 * A tool call from the agent (fuzzed name and arguments) and an HTTP tool's response (fuzzed status, content type and
 * body), through what becomes of them: the {@code function_call_output} and the client event that carries it back.
 * Invariants: nothing throws; the output is always JSON the agent can parse; a failed status, an oversized body or
 * undeclared garbage never passes through as the tool's answer; the client event carries the output and the call
 * id unchanged; an unknown tool name is answered with an error, not a request.
 */
class ToolOutputFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpToolInvoker TOOLS = new HttpToolInvoker(Duration.ofSeconds(1));
    static final RealtimeClientEvents OUT = new RealtimeClientEvents(JSON, true);
    static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/plain", "text/html", "", "application/problem+json");

    static {
        // Fuzzing only (its own JVM per target): junk is logged once per kind by design, and a fuzzer makes millions
        // of kinds. The replay of saved inputs shares a JVM with the other tests, whose log assertions need INFO.
        if (System.getenv("JAZZER_FUZZ") != null) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.wavoice.server.agent")).setLevel(Level.ERROR);
        }
    }

    @AfterAll
    static void close() {
        TOOLS.close();
    }

    @FuzzTest
    void toolResponsesBecomeReadableOutputs(FuzzedDataProvider data) throws Exception {
        int status = data.consumeBoolean() ? 200 : data.consumeInt(100, 599);
        String contentType = data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(40);
        String toolCallId = data.consumeString(40);
        String name = data.consumeString(70);
        byte[] body = data.consumeRemainingAsBytes();

        String output = TOOLS.output("lookup_order", status, contentType, body);
        JsonNode parsed = JSON.readTree(output);
        assertThat(parsed).as("output %s", output).isNotNull();
        assertThat(parsed.isMissingNode()).isFalse();
        boolean ok = status >= 200 && status <= 299 && body.length <= HttpToolInvoker.MAX_BODY_BYTES;
        if (!ok) {
            assertThat(parsed.path("error").isTextual()).as("a failed tool is an error: %s", output).isTrue();
        } else if (parsed.isObject() && parsed.size() == 1 && parsed.has("result") && !isJson(body)) {
            // Text that is not JSON is wrapped whole.
            assertThat(parsed.get("result").asText()).isEqualTo(new String(body, StandardCharsets.UTF_8));
        }

        JsonNode event = JSON.readTree(OUT.toolOutput(toolCallId, output));
        assertThat(event.path("item").path("call_id").asText()).isEqualTo(toolCallId);
        assertThat(event.path("item").path("output").asText()).isEqualTo(output);

        // The agent names a tool: one nobody declared is an error output, answered at once without a request.
        AgentTool declared = new AgentTool("lookup_order", "", "{}", null);
        String answer = TOOLS.invoke("fuzz-call", List.of(declared),
                new AgentEvent.ToolCall(toolCallId, name, new String(body, StandardCharsets.UTF_8))).get();
        assertThat(JSON.readTree(answer).path("error").isTextual()).as("answer %s", answer).isTrue();
    }

    private static boolean isJson(byte[] body) {
        try {
            return JSON.readTree(body) != null;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
