package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.RefusingEndpoint;
import dev.wavoice.server.agent.ScriptedRealtimeServer;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A new user's first real call with a wrong key, no quota or a wrong model, placed from Pion (WhatsApp's edge)
 * through the signed webhook against a Realtime stand-in: the call is rejected while it rings, or the caller hears
 * the apology tone and the call ends, within 2 s, after exactly one attempt, with the agent's code on the row.
 */
@Timeout(180)
class AgentFailureCallTest {
    static final Duration T = Duration.ofSeconds(20);
    static final String KEY = "sk-test-first-call-wrong-key";

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    /** A wavoice with the OpenAI agent at {@code url}, its startup check over. */
    private TestServer server(URI url, AgentUnavailable unavailable) throws Exception {
        TestServer t = new TestServer(dir.resolve("db-" + System.nanoTime()), null,
                AgentConfig.defaults(url, Secret.of(KEY)), b -> b.agent(AgentKind.OPENAI).agentUnavailable(unavailable));
        await().atMost(T).until(() -> !List.of("unchecked", "checking")
                .contains(t.server.agentHealth().status().state()));
        return t;
    }

    /** Rings from Pion; the answer goes to Pion if a {@code pre_accept} came (a refusal may beat it). */
    private static void ring(TestServer t, PionPeer edge, String callId) throws Exception {
        t.postConnect(callId, "1764002000", edge.offer(T));
        await().atMost(T).until(() -> !t.graph.requests(r -> callId.equals(r.callId())
                && List.of("pre_accept", "reject").contains(r.action())).isEmpty());
        Optional<FakeGraphApi.Request> preAccept = t.graph.requests(r -> callId.equals(r.callId())
                && "pre_accept".equals(r.action())).stream().findFirst();
        if (preAccept.isPresent()) {
            edge.sendAnswer(preAccept.get().sdp());
        }
    }

    private static List<String> actions(TestServer t, String callId) {
        return t.graph.requests(r -> callId.equals(r.callId())).stream().map(FakeGraphApi.Request::action).toList();
    }

    private static long setupToEndMs(CallRecord row) {
        return Duration.between(row.startedAt(), row.endedAt()).toMillis();
    }

    private void assertRejected(TestServer t, String callId, String code, IntSupplier attempts) throws Exception {
        int before = attempts.getAsInt();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withDuration(Duration.ofSeconds(20)))) {
            ring(t, edge, callId);
            CallRecord row = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(row.endReason()).isEqualTo("agent_failed");
            assertThat(row.endDetail()).contains(code).doesNotContain(KEY);
            assertThat(setupToEndMs(row)).as("webhook to rejected").isLessThan(2_000);
            await().atMost(T).until(() -> actions(t, callId).contains("reject"));
            assertThat(actions(t, callId)).doesNotContain("accept", "terminate");
            Thread.sleep(500); // a reconnect would have happened by now
            assertThat(attempts.getAsInt() - before).as("connection attempts for this call").isEqualTo(1);
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .contains("agent.failed", "graph.reject");
            assertThat(t.get("/metrics").body())
                    .contains("wavoice_agent_failures_total{code=\"" + code + "\",kind=\"permanent\"}");
            assertThat(t.get("/ready").body()).contains("\"state\":\"failed\"").contains("\"code\":\"" + code + "\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"invalid_api_key", "insufficient_quota", "model_not_found"})
    void aRefusedSessionRejectsTheRingingCall(String code) throws Exception {
        try (ScriptedRealtimeServer agent = new ScriptedRealtimeServer()) {
            switch (code) { // as the service sends each: an error, then (for a key) the close OpenAI uses
                case "invalid_api_key" -> agent.refuseSessions(ScriptedRealtimeServer.error("invalid_request_error",
                        code, "Incorrect API key provided: " + KEY), 3000, "invalid_request_error.invalid_api_key");
                case "insufficient_quota" -> agent.refuseSessions(ScriptedRealtimeServer.error(code, code,
                        "You exceeded your current quota."), 0, null);
                default -> agent.refuseSessions(ScriptedRealtimeServer.error("invalid_request_error", code,
                        "The model 'gpt-realtime-typo' does not exist."), 1000, "");
            }
            try (TestServer t = server(agent.url(), AgentUnavailable.AUTO)) {
                assertThat(t.server.agentHealth().status().code()).as("the startup check saw it first").isEqualTo(code);
                assertRejected(t, "wacid.REFUSED-" + code, code, agent::connections);
            }
        }
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 404})
    void aRefusedHandshakeRejectsTheRingingCall(int status) throws Exception {
        try (RefusingEndpoint agent = new RefusingEndpoint(status);
             TestServer t = server(agent.url(), AgentUnavailable.AUTO)) {
            assertRejected(t, "wacid.HTTP-" + status, "http_" + status, agent::attempts);
        }
    }

    /** Connects a call whose agent session works at first, then hands the test the live call. */
    private static PionPeer connected(TestServer t, String callId, Path rec) throws Exception {
        PionPeer edge = PionPeer.start(PionPeer.Options.edge().withRecord(rec).withDuration(Duration.ofSeconds(30)));
        ring(t, edge, callId);
        edge.awaitConnected(T);
        t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
        return edge;
    }

    /** The call ended after the apology tone: both of its tones heard at the edge, then Graph's terminate. */
    private static CallRecord assertApologisedAndEnded(TestServer t, PionPeer edge, String callId) throws Exception {
        CallRecord row = t.awaitCall(callId, c -> c.state().equals("ENDED"));
        assertThat(row.endReason()).isEqualTo("agent_failed");
        await().atMost(T).until(() -> actions(t, callId).contains("terminate"));
        edge.requestClose();
        edge.awaitExit(T);
        short[] heard = TestAudio.decode(edge.recording());
        assertThat(TestAudio.windowsAt(heard, ApologyTone.HIGH_HZ)).as("apology, high tone").isGreaterThanOrEqualTo(1);
        assertThat(TestAudio.windowsAt(heard, ApologyTone.LOW_HZ)).as("apology, low tone").isGreaterThanOrEqualTo(2);
        return row;
    }

    @Test
    void inApologyModeAWrongKeyIsAnsweredWithTheToneThenEnded() throws Exception {
        try (ScriptedRealtimeServer agent = new ScriptedRealtimeServer()) {
            agent.refuseSessions(ScriptedRealtimeServer.error("invalid_request_error", "invalid_api_key", "wrong"),
                    3000, "invalid_request_error.invalid_api_key");
            try (TestServer t = server(agent.url(), AgentUnavailable.APOLOGY)) {
                int before = agent.connections();
                String callId = "wacid.APOLOGY-KEY";
                PionPeer edge = connected(t, callId, dir.resolve("apology.rec"));
                try (edge) {
                    CallRecord row = assertApologisedAndEnded(t, edge, callId);
                    assertThat(row.endDetail()).contains("invalid_api_key");
                    assertThat(Duration.between(row.connectedAt(), row.endedAt()).toMillis())
                            .as("accept to the end: the 1 s tone, then terminate").isLessThan(2_000);
                    assertThat(actions(t, callId)).containsSubsequence("pre_accept", "accept", "terminate");
                    assertThat(agent.connections() - before).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aPermanentFailureAfterAcceptPlaysTheToneAtOnceAndEndsTheCall() throws Exception {
        try (ScriptedRealtimeServer agent = new ScriptedRealtimeServer();
             TestServer t = server(agent.url(), AgentUnavailable.AUTO)) {
            String callId = "wacid.MIDCALL-QUOTA";
            try (PionPeer edge = connected(t, callId, dir.resolve("quota.rec"))) {
                int before = agent.connections();
                long failedAt = System.currentTimeMillis();
                agent.send(ScriptedRealtimeServer.error("insufficient_quota", "insufficient_quota", "quota"));
                CallRecord row = assertApologisedAndEnded(t, edge, callId);
                assertThat(row.endDetail()).contains("insufficient_quota").contains("no quota left");
                assertThat(row.endedAt().toEpochMilli() - failedAt).as("failure to the end").isLessThan(2_000);
                assertThat(agent.connections()).as("no reconnect").isEqualTo(before);
            }
        }
    }

    @Test
    void anEndlessSeriesOfUnknownErrorsEndsInTheApologyToneWithinTheBound() throws Exception {
        try (ScriptedRealtimeServer agent = new ScriptedRealtimeServer()) {
            agent.closeEachConfiguredSession(1_500, 4000); // long enough for the first one to see the call accepted
            try (TestServer t = server(agent.url(), AgentUnavailable.AUTO)) {
                String callId = "wacid.UNKNOWN-LOOP";
                try (PionPeer edge = connected(t, callId, dir.resolve("unknown.rec"))) {
                    CallRecord row = assertApologisedAndEnded(t, edge, callId);
                    assertThat(row.endDetail()).contains("unexplained failures in a row");
                    assertThat(Duration.between(row.connectedAt(), row.endedAt()).toMillis())
                            .as("within the 10 s bound on silence").isLessThan(10_000);
                    assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                            .contains("agent.reconnected", "agent.failed");
                }
            }
        }
    }
}
