package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.agent.AgentFailure.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The README's table of agent failures, row by row: what is retried and what is not. */
class AgentFailuresTest {

    @ParameterizedTest(name = "error {0}/{1} is {2}")
    @CsvSource({
        "invalid_request_error, invalid_api_key,        PERMANENT, invalid_api_key",
        "insufficient_quota,    insufficient_quota,     PERMANENT, insufficient_quota",
        "invalid_request_error, model_not_found,        PERMANENT, model_not_found",
        "invalid_request_error, billing_not_active,     PERMANENT, billing_not_active",
        "authentication_error,  ,                       PERMANENT, authentication_error",
        "server_error,          server_error,           TRANSIENT, server_error",
        "rate_limit_error,      rate_limit_exceeded,    TRANSIENT, rate_limit_exceeded",
        "invalid_request_error, session_expired,        TRANSIENT, session_expired",
        "invalid_request_error, something_new,          TRANSIENT, other",
    })
    void errorEventsByCode(String type, String code, Kind kind, String label) {
        AgentFailure f = AgentFailures.fromError(type, code, "the server's words", false);
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.code()).isEqualTo(label);
        assertThat(f.known()).isEqualTo(!label.equals("other"));
        assertThat(f.detail()).contains("the server's words");
        assertThat(f.permanent() ? f.hint() : "n/a").isNotBlank();
    }

    @Test
    void anErrorAboutOurSessionUpdateIsARejectedConfiguration() {
        AgentFailure f = AgentFailures.fromError("invalid_request_error", "invalid_value", "voice 'x' unknown", true);
        assertThat(f.kind()).isEqualTo(Kind.PERMANENT);
        assertThat(f.code()).isEqualTo("session_config_rejected");
        assertThat(f.summary()).contains("WAVOICE_AGENT_CONFIG").contains("invalid_value").contains("voice 'x' unknown");
        // The same error about another event (a truncate of an unknown item) is nothing to end a call for.
        assertThat(AgentFailures.fromError("invalid_request_error", "invalid_value", "x", false).permanent()).isFalse();
    }

    @Test
    void openAisCloseAfterAWrongKeyIsPermanentFromItsReasonOrItsCodeAlone() {
        AgentFailure byReason = AgentFailures.fromClose(3000, "invalid_request_error.invalid_api_key", null);
        assertThat(byReason.code()).isEqualTo("invalid_api_key");
        assertThat(byReason.permanent()).isTrue();
        assertThat(byReason.summary()).startsWith("OPENAI_API_KEY was refused");
        assertThat(AgentFailures.fromClose(3000, "", null).code()).isEqualTo("close_3000");
        assertThat(AgentFailures.fromClose(3000, "", null).permanent()).isTrue();
        assertThat(AgentFailures.fromClose(3003, null, null).permanent()).isTrue();
    }

    @Test
    void theErrorBeforeACloseExplainsItAndAPermanentOneWins() {
        AgentFailure quota = AgentFailures.fromError("insufficient_quota", "insufficient_quota", "no credit", false);
        assertThat(AgentFailures.fromClose(1000, "", quota)).isEqualTo(quota);
        AgentFailure slow = AgentFailures.fromError("rate_limit_error", "rate_limit_exceeded", "slow", false);
        assertThat(AgentFailures.fromClose(3000, "", slow).code()).isEqualTo("close_3000");
        AgentFailure unknown = AgentFailures.fromError("x", "y", "z", false);
        assertThat(AgentFailures.fromClose(1006, "", unknown).code()).as("a known close beats an unknown error")
                .isEqualTo("close_1006");
        assertThat(AgentFailures.fromClose(4321, "", unknown)).isEqualTo(unknown);
    }

    @ParameterizedTest(name = "close {0} is {1}")
    @CsvSource({"1000, TRANSIENT, true", "1001, TRANSIENT, true", "1006, TRANSIENT, true", "1011, TRANSIENT, true",
        "1013, TRANSIENT, true", "1008, PERMANENT, true", "4000, TRANSIENT, false", "1234, TRANSIENT, false"})
    void closeCodes(int status, Kind kind, boolean known) {
        AgentFailure f = AgentFailures.fromClose(status, "", null);
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.known()).isEqualTo(known);
        assertThat(f.code()).isEqualTo(known ? "close_" + status : "close_other");
    }

    @ParameterizedTest(name = "handshake HTTP {0} is {1}")
    @CsvSource({"401, PERMANENT, http_401", "403, PERMANENT, http_403", "404, PERMANENT, http_404",
        "400, PERMANENT, http_4xx", "429, TRANSIENT, http_429", "500, TRANSIENT, http_5xx", "503, TRANSIENT, http_5xx",
        "302, TRANSIENT, http_other"})
    void handshakeStatuses(int status, Kind kind, String code) {
        AgentFailure f = AgentFailures.fromHttpStatus(status);
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.code()).isEqualTo(code);
        assertThat(f.detail()).contains(String.valueOf(status));
    }

    @Test
    void networkFailuresAreTransient() {
        AgentFailure refused = AgentFailures.fromConnectError(new CompletionException(
                new IOException("wrapped", new ConnectException("Connection refused"))));
        assertThat(refused.kind()).isEqualTo(Kind.TRANSIENT);
        assertThat(refused.code()).isEqualTo("unreachable");
        assertThat(refused.detail()).contains("Connection refused");
        assertThat(AgentFailures.fromConnectError(new HttpConnectTimeoutException("slow")).code()).isEqualTo("timeout");
        AgentFailure odd = AgentFailures.fromConnectError(new IllegalStateException("odd"));
        assertThat(odd.known()).isFalse();
        assertThat(odd.kind()).isEqualTo(Kind.TRANSIENT);
    }

    @Test
    void outsideTextIsFlattenedAndBounded() {
        AgentFailure f = AgentFailures.fromError("t", "c", "line one\nline two " + "x".repeat(1_000), false);
        assertThat(f.detail()).doesNotContain("\n").hasSizeLessThanOrEqualTo(301);
    }

    @Test
    void aSocketThatBreaksAfterAPermanentErrorEventKeepsThatError() {
        AgentFailure policy = AgentFailures.fromError("invalid_request_error", "insufficient_quota", "no quota", false);
        IOException pipe = new IOException("Broken pipe");
        assertThat(AgentFailures.fromSocketError(pipe, policy)).isEqualTo(policy);
        AgentFailure busy = AgentFailures.fromError("server_error", "server_error", "busy", false);
        assertThat(AgentFailures.fromSocketError(pipe, busy).code()).isEqualTo("unreachable");
        assertThat(AgentFailures.fromSocketError(pipe, null).code()).isEqualTo("unreachable");
        assertThat(AgentFailures.fromSocketError(pipe, null).permanent()).isFalse();
    }

    @Test
    void aStalledSocketIsTransientAndKnown() {
        AgentFailure stalled = AgentFailures.stalled(10_250);
        assertThat(stalled.code()).isEqualTo("agent_stalled");
        assertThat(stalled.permanent()).isFalse();
        assertThat(stalled.known()).isTrue();
        assertThat(stalled.detail()).contains("10250 ms");
    }
}
