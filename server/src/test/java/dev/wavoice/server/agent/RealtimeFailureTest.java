package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.wavoice.server.config.Secret;
import dev.wavoice.server.testsupport.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures that will not heal end the session at once, with one connection attempt; transient ones are retried,
 * but unknown ones only a few times in a row and never longer than the policy's bound.
 */
class RealtimeFailureTest {
    private static final String KEY = "sk-test-0a1b2c3d4e5f-never-log-me";
    private static final String WRONG_KEY = ScriptedRealtimeServer.error("invalid_request_error", "invalid_api_key",
            "Incorrect API key provided: " + KEY + ". You can find your API key in your account settings.");

    private ScriptedRealtimeServer server;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final AgentHealth health = new AgentHealth(metrics);
    private final RecordingListener listener = new RecordingListener();
    private RealtimeConnector connector;

    @BeforeEach
    void start() {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(20));
        server = new ScriptedRealtimeServer();
    }

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        server.close();
        Awaitility.reset();
    }

    private RealtimeConnector connector(URI url, SessionPolicy policy) {
        connector = new RealtimeConnector(AgentConfig.defaults(url, Secret.of(KEY)), Duration.ofSeconds(10),
                RealtimeConnector.DEFAULT_MAX_EVENT_CHARS, policy, health);
        return connector;
    }

    private AgentConnectException openFails(URI url) {
        CompletableFuture<AgentSession> open = connector(url, SessionPolicy.defaults()).open("call-f", listener);
        Throwable thrown = catchThrowable(() -> open.get(10, TimeUnit.SECONDS));
        assertThat(thrown).hasCauseInstanceOf(AgentConnectException.class);
        return (AgentConnectException) thrown.getCause();
    }

    private double failures(String kind, String code) {
        var counter = metrics.find("wavoice.agent.failures").tag("kind", kind).tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aWrongKeyFailsTheOpenOnceWithWhatToFixAndIsLoggedAtWarnOnce() throws Exception {
        server.refuseSessions(WRONG_KEY, 3000, "invalid_request_error.invalid_api_key");
        try (LogCapture logs = new LogCapture()) {
            AgentConnectException failed = openFails(server.url());
            assertThat(failed.failure().code()).isEqualTo("invalid_api_key");
            assertThat(failed.failure().permanent()).isTrue();
            assertThat(failed.getMessage()).contains("OPENAI_API_KEY was refused").doesNotContain(KEY);
            assertThat(failed.failure().detail()).contains("<redacted>").doesNotContain(KEY);
            Thread.sleep(1_000); // anything that would reconnect does so by now
            assertThat(server.connections()).as("one attempt, no reconnect").isEqualTo(1);
            assertThat(listener.of(AgentEvent.Closed.class)).as("the open failed: no session to close").isEmpty();
            assertThat(health.status().failed()).isTrue();
            assertThat(health.status().code()).isEqualTo("invalid_api_key");

            openFails(server.url()); // the next call meets the same refusal
            assertThat(server.connections()).isEqualTo(2);
            assertThat(failures("permanent", "invalid_api_key")).isEqualTo(2);
            assertThat(logs.lines()).filteredOn(l -> l.contains("agent.failed_permanently") && l.contains("fix="))
                    .singleElement().asString().contains("OPENAI_API_KEY was refused");
            assertThat(logs.all()).doesNotContain(KEY);
        }
    }

    @Test
    void aRejectedSessionConfigurationIsPermanent() {
        server.refuseSessions("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"code\":"
                + "\"invalid_value\",\"message\":\"Invalid voice\",\"param\":\"session.audio.output.voice\","
                + "\"event_id\":\"$EVENT_ID\"}}", 0, null);
        AgentConnectException failed = openFails(server.url());
        assertThat(failed.failure().code()).isEqualTo("session_config_rejected");
        assertThat(failed.failure().detail()).contains("Invalid voice");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void refusedHandshakesAreClassifiedByStatus() {
        for (int status : new int[] {401, 403, 404}) {
            try (RefusingEndpoint endpoint = new RefusingEndpoint(status)) {
                AgentConnectException failed = openFails(endpoint.url());
                assertThat(failed.failure().code()).isEqualTo("http_" + status);
                assertThat(failed.failure().permanent()).isTrue();
                assertThat(endpoint.attempts()).isEqualTo(1);
                connector.close();
            }
        }
        try (RefusingEndpoint endpoint = new RefusingEndpoint(503)) {
            AgentConnectException failed = openFails(endpoint.url());
            assertThat(failed.failure().code()).isEqualTo("http_5xx");
            assertThat(failed.failure().permanent()).isFalse();
        }
        assertThat(failures("permanent", "http_404")).isEqualTo(1);
        assertThat(failures("transient", "http_5xx")).isEqualTo(1);
    }

    @Test
    void aQuotaErrorMidCallEndsTheSessionWithoutReconnecting() throws Exception {
        RealtimeSession session = (RealtimeSession) connector(server.url(), SessionPolicy.defaults())
                .open("call-q", listener).get(10, TimeUnit.SECONDS);
        assertThat(health.status().state()).isEqualTo("ok");
        // A response that failed for want of quota: the socket stays open, but no answer will ever come.
        server.send("{\"type\":\"response.done\",\"response\":{\"status\":\"failed\",\"status_details\":{\"type\":"
                + "\"failed\",\"error\":{\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\","
                + "\"message\":\"You exceeded your current quota.\"}}}}");
        await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());
        AgentEvent.Closed closed = listener.of(AgentEvent.Closed.class).getFirst();
        assertThat(closed.failure().code()).isEqualTo("insufficient_quota");
        assertThat(closed.failure().permanent()).isTrue();
        assertThat(closed.reason()).contains("no quota left");
        assertThat(session.connected()).isFalse();
        Thread.sleep(700);
        assertThat(server.connections()).isEqualTo(1);
        await().until(() -> server.closedConnections().contains(0));
    }

    @Test
    void aCloseWithTheUnauthorizedCodeMidCallIsPermanent() throws Exception {
        connector(server.url(), SessionPolicy.defaults()).open("call-c", listener).get(10, TimeUnit.SECONDS);
        server.closeNewest(3000, "");
        await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());
        assertThat(listener.of(AgentEvent.Closed.class).getFirst().failure().code()).isEqualTo("close_3000");
        Thread.sleep(700);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void anEndlessSeriesOfUnknownFailuresStopsAfterAFewInARow() throws Exception {
        server.closeEachConfiguredSession(100, 4000); // a close code nobody documents, after every session.updated
        long t0 = System.nanoTime();
        connector(server.url(), SessionPolicy.defaults()).open("call-u", listener).get(10, TimeUnit.SECONDS);
        await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        AgentEvent.Closed closed = listener.of(AgentEvent.Closed.class).getFirst();
        assertThat(closed.failure().known()).isFalse();
        assertThat(closed.failure().permanent()).as("may heal for the next call").isFalse();
        assertThat(closed.reason()).contains("gave up after " + ReconnectBudget.MAX_UNKNOWN_IN_A_ROW
                + " unexplained failures in a row");
        assertThat(server.connections()).isEqualTo(ReconnectBudget.MAX_UNKNOWN_IN_A_ROW);
        assertThat(ms).as("well inside the 10 s silence bound").isLessThan(8_000);
        assertThat(failures("transient", "close_other")).isEqualTo(ReconnectBudget.MAX_UNKNOWN_IN_A_ROW);
    }

    @Test
    void theCallerNeverWaitsLongerThanTheOutageBound() throws Exception {
        // Every reconnect hangs in a backoff far longer than the bound: only the bound can end the wait.
        SessionPolicy policy = SessionPolicy.defaults().withReconnect(List.of(Duration.ofSeconds(30)), 8,
                Duration.ofMillis(1_500));
        connector(server.url(), policy).open("call-o", listener).get(10, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        server.closeNewest(1011, "internal error"); // transient: worth reconnecting, were it not for the bound
        await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(1_400L, 5_000L);
        assertThat(listener.of(AgentEvent.Closed.class).getFirst().reason()).contains("unreachable for 1500 ms");
        assertThat(server.connections()).isEqualTo(1);
    }
}
