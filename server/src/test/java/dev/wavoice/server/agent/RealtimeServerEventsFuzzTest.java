package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.LoggerFactory;

/**
 * Fuzzed text frames from the Realtime server, through what the session does with one: decode (JSON, type, mapping
 * to agent events), classify an error into a failure, follow the rate limits, and classify a close whose reason is
 * the same text. Invariants: nothing throws; each frame is counted exactly once as decoded, unknown or malformed;
 * a decoded frame's events match its type (an audio delta holds exactly the samples its base64 carries); every
 * error becomes a failure with a code and a bounded, single-line description.
 */
class RealtimeServerEventsFuzzTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** AgentFailures clips a description to 300 characters and an ellipsis. */
    static final int MAX_DETAIL = 301;

    static {
        // Fuzzing only (its own JVM per target): junk is logged once per kind by design, and a fuzzer makes millions
        // of kinds. The replay of saved inputs shares a JVM with the other tests, whose log assertions need INFO.
        if (System.getenv("JAZZER_FUZZ") != null) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.wavoice.server.agent")).setLevel(Level.ERROR);
        }
    }

    @FuzzTest
    void serverFramesDecodeOrAreCounted(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        RealtimeInbound inbound = new RealtimeInbound("fuzz-call", JSON);
        RealtimeInbound.Decoded decoded = inbound.decode(text);

        assertThat(inbound.received.sum()).isEqualTo(1);
        long outcomes = inbound.malformed.sum() + inbound.unknown.sum() + (decoded == null ? 0 : 1);
        assertThat(outcomes).as("counted once as decoded, unknown or malformed").isEqualTo(1);
        if (decoded == null) {
            return;
        }
        assertThat(decoded.type()).isNotNull();
        assertThat(decoded.parsed().known()).isTrue();
        AgentFailure lastError = null;
        for (AgentEvent event : decoded.parsed().events()) {
            switch (event) {
                case AgentEvent.AudioDelta audio -> {
                    assertThat(decoded.type()).endsWith("audio.delta");
                    byte[] bytes = Base64.getDecoder().decode(decoded.json().path("delta").asText(""));
                    assertThat(audio.pcm()).hasSize(bytes.length / 2);
                }
                case AgentEvent.ToolCall call -> {
                    assertThat(decoded.type()).isEqualTo("response.function_call_arguments.done");
                    assertThat(call.argumentsJson()).isNotNull();
                }
                case AgentEvent.Error error -> {
                    assertThat(decoded.type()).isIn("error", "response.done");
                    boolean aboutConfig = RealtimeClientEvents.SESSION_UPDATE_EVENT_ID.equals(
                            decoded.json().path("error").path("event_id").asText(null));
                    lastError = AgentFailures.fromError(error.type(), error.code(), error.message(), aboutConfig);
                    assertDescribed(lastError);
                }
                case AgentEvent.Usage usage -> assertThat(decoded.type()).isEqualTo("response.done");
                case AgentEvent.Transcript line -> assertThat(line.speaker()).isNotNull();
                default -> { }
            }
        }
        if (decoded.type().equals("rate_limits.updated")) {
            new RateLimitWatch("fuzz-call").update(decoded.json());
        }
        // A close reason is the peer's text too.
        int status = 1000 + Math.floorMod(text.hashCode(), 4000);
        assertDescribed(AgentFailures.fromClose(status, text, lastError));
    }

    private static void assertDescribed(AgentFailure failure) {
        assertThat(failure).isNotNull();
        assertThat(failure.code()).isNotNull();
        assertThat(failure.detail()).doesNotContain("\n", "\r").hasSizeLessThanOrEqualTo(MAX_DETAIL);
    }
}
