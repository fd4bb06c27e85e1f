package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.LogCapture;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The agent's socket (the Realtime API over WebSocket, here {@link ScriptedRealtimeServer}) misbehaving in the middle
 * of a real call from Pion: stalling, sending garbage, or closing with each close code that matters. What the caller
 * gets is checked by ear (the agent's tone, detected by frequency at the edge; or the apology tone), and the call's
 * row, its events, and the failure counters by what is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class AgentSocketFaultCallTest {
    static final Duration T = Duration.ofSeconds(20);
    /**
     * The server's stall bound here (10 s by default): above the 3 s stall the call must ride out with margin (up to
     * a ping interval of silence before it, 3 s, then the backlog), short enough to keep the stalled case bounded.
     */
    static final Duration STALL_BOUND = Duration.ofSeconds(9);
    /** The apology tone's two notes ({@code ApologyTone}, in the media package). */
    static final double APOLOGY_HIGH_HZ = 660, APOLOGY_LOW_HZ = 440;
    static final Pattern SESSION_CLOSED = Pattern.compile(
            "agent session closed callId=(\\S+) .* unknown=(\\d+) malformed=(\\d+) oversized=(\\d+)");

    ScriptedRealtimeServer agent;
    TestServer t;
    Path dir;
    final AtomicInteger timestamps = new AtomicInteger(1_764_200_000);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        PionPeer.binary();
        this.dir = dir;
        agent = new ScriptedRealtimeServer();
        t = new TestServer(dir.resolve("db"), null, AgentConfig.defaults(agent.url(), Secret.of("sk-test-faults")),
                b -> b.agent(AgentKind.OPENAI).agentUnavailable(AgentUnavailable.AUTO).agentStallTimeout(STALL_BOUND));
        await().atMost(T).until(() -> !List.of("unchecked", "checking")
                .contains(t.server.agentHealth().status().state()));
    }

    @AfterAll
    void stop() {
        if (t != null) {
            t.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    /** A live call: Pion as WhatsApp's edge, saying a tone, recorded; its agent socket configured. */
    private PionPeer connect(String callId) throws Exception {
        return connect(callId, true);
    }

    /** A live call whose caller talks (a tone streamed to the agent) or stays silent (nothing streamed). */
    private PionPeer connect(String callId, boolean callerTalks) throws Exception {
        int socketsBefore = agent.connections();
        PionPeer.Options options = PionPeer.Options.edge().withRecord(dir.resolve(callId + ".rec"))
                .withDuration(Duration.ofSeconds(30));
        PionPeer edge = PionPeer.start(callerTalks ? options.withSendOpusFile(TestAudio.toneFile(dir, 350, 600))
                : options);
        String offer = edge.offer(T);
        edge.sendAnswer(t.ring(callId, Integer.toString(timestamps.incrementAndGet()), offer).sdp());
        edge.awaitConnected(T);
        t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
        awaitConfigured(socketsBefore + 1);
        return edge;
    }

    /** Waits until the {@code count}-th socket has sent its {@code session.update}. */
    private void awaitConfigured(int count) {
        await().atMost(T).until(() -> agent.connections() >= count
                && !agent.received(count - 1, "session.update").isEmpty());
    }

    /** The agent says {@code hz} for {@code ms} on its newest socket, as Realtime audio deltas (24 kHz PCM16). */
    private void say(double hz, int ms) {
        int rate = 24_000, chunk = rate / 10;
        short[] pcm = new short[rate * ms / 1000];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (8000 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        String item = "item_" + System.nanoTime();
        for (int off = 0; off < pcm.length; off += chunk) {
            agent.send("{\"type\":\"response.output_audio.delta\",\"item_id\":\"" + item + "\",\"delta\":\""
                    + Pcm16.toBase64(pcm, off, Math.min(chunk, pcm.length - off)) + "\"}");
        }
    }

    /** Hangs up as the caller, then returns what the edge heard. */
    private short[] hangUp(PionPeer edge, String callId) throws Exception {
        t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 5L));
        t.awaitCall(callId, c -> c.state().equals("ENDED"));
        return heard(edge);
    }

    private static short[] heard(PionPeer edge) {
        edge.requestClose();
        edge.awaitExit(T);
        return TestAudio.decode(edge.recording());
    }

    private List<String> events(String callId) throws Exception {
        return t.server.repository().events(callId).stream().map(CallEventRecord::type).toList();
    }

    private double failures(String kind, String code) {
        var counter = t.server.metrics().find("wavoice.agent.failures").tag("kind", kind).tag("code", code).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void garbageFromTheAgentIsCountedAndIgnoredAndTheCallCarriesOn() throws Exception {
        String callId = "wacid.AGENT-GARBAGE";
        double hz = TestAudio.randomTone(800, 1000);
        try (LogCapture logs = new LogCapture(); PionPeer edge = connect(callId)) {
            int sockets = agent.connections();
            agent.send("this is not JSON {");
            agent.send("[1, 2, 3]"); // JSON, but no event
            agent.send("{\"type\":42}"); // JSON of the wrong shape: a type no event has
            agent.send("{\"type\":\"response.output_audio.delta\",\"item_id\":\"x\",\"delta\":\"@@not base64@@\"}");
            agent.send("{\"type\":\"response.hologram.delta\",\"data\":\"?\"}"); // an event type nobody knows
            agent.send("{\"type\":\"response.hologram.delta\",\"data\":\"?\"}");
            agent.send("{\"type\":\"x\",\"pad\":\"" + "a".repeat(RealtimeConnector.DEFAULT_MAX_EVENT_CHARS) + "\"}");
            long packets = edge.counters().packetsReceived();
            say(hz, 1_500); // and after all of that the agent still speaks to the caller
            edge.awaitPacketsReceived(packets + 60, T);
            assertThat(agent.connections()).as("no reconnect for garbage").isEqualTo(sockets);
            assertThat(t.server.repository().findCall(callId).orElseThrow().state()).isEqualTo("CONNECTED");

            short[] pcm = hangUp(edge, callId);
            assertThat(TestAudio.windowsAt(pcm, hz)).as("the agent's %.0f Hz heard after the garbage", hz)
                    .isGreaterThanOrEqualTo(8);
            CallRecord row = t.server.repository().findCall(callId).orElseThrow();
            assertThat(row.endReason()).isEqualTo("caller_hangup");
            // The agent's socket opens while the call rings, so its event falls anywhere before the accept.
            assertThat(events(callId)).doesNotContain("agent.failed", "agent.reconnected").contains("agent.connected")
                    .containsSubsequence("webhook.connect", "graph.pre_accept", "media.connected", "graph.accept",
                            "webhook.terminate", "call.ended");
            await().atMost(T).until(() -> logs.lines().stream().anyMatch(l -> SESSION_CLOSED.matcher(l).find()
                    && l.contains(callId)));
            Matcher m = logs.lines().stream().map(SESSION_CLOSED::matcher).filter(x -> x.find() && x.group(1).equals(callId))
                    .findFirst().orElseThrow();
            assertThat(Integer.parseInt(m.group(2))).as("unknown events (type 42, twice hologram)").isEqualTo(3);
            assertThat(Integer.parseInt(m.group(3))).as("malformed (not JSON, no type, bad audio)").isEqualTo(3);
            assertThat(Integer.parseInt(m.group(4))).as("oversized events").isEqualTo(1);
        }
    }

    @Test
    void anAgentThatStallsWithItsSocketOpenKeepsTheCallUpAndLosesNoCallerAudio() throws Exception {
        String callId = "wacid.AGENT-STALL";
        double hz = TestAudio.randomTone(800, 1000);
        double stalledBefore = failures("transient", "agent_stalled");
        try (LogCapture logs = new LogCapture(); PionPeer edge = connect(callId)) {
            int sockets = agent.connections();
            int appendsBefore = agent.received(sockets - 1, "input_audio_buffer.append").size();
            // Three seconds in which the agent neither sends an event nor reads one, the socket open throughout.
            agent.stallNextRead(Duration.ofSeconds(3));
            await().atMost(T).until(agent::stalled);
            await().atMost(T).until(() -> !agent.stalled());
            assertThat(t.server.repository().findCall(callId).orElseThrow().state()).isEqualTo("CONNECTED");
            assertThat(agent.connections()).as("a quiet agent is not a lost one").isEqualTo(sockets);
            await().atMost(T).until(() -> agent.received(sockets - 1, "input_audio_buffer.append").size()
                    - appendsBefore >= 120); // the 3 s of caller audio queued behind the stall, delivered after it
            long packets = edge.counters().packetsReceived();
            say(hz, 1_000);
            edge.awaitPacketsReceived(packets + 40, T);
            short[] pcm = hangUp(edge, callId);
            assertThat(TestAudio.windowsAt(pcm, hz)).as("the agent heard once it speaks again").isGreaterThanOrEqualTo(5);
            assertThat(t.server.repository().findCall(callId).orElseThrow().endReason()).isEqualTo("caller_hangup");
            assertThat(events(callId)).doesNotContain("agent.failed", "agent.reconnected");
            assertThat(failures("transient", "agent_stalled")).as("shorter than the bound: not a stall")
                    .isEqualTo(stalledBefore);
            await().atMost(T).until(() -> logs.all().contains("agent session closed callId=" + callId));
            assertThat(logs.all()).as("no caller audio dropped").containsPattern(
                    "agent session closed callId=" + Pattern.quote(callId) + " .* appendsDropped=0 ");
        }
    }

    @Test
    void anAgentStalledLongerThanTheBoundIsReplacedAndHeardAgain() throws Exception {
        String callId = "wacid.AGENT-STALL-LONG";
        double hz = TestAudio.randomTone(800, 1000);
        double stalledBefore = failures("transient", "agent_stalled");
        try (PionPeer edge = connect(callId)) {
            int sockets = agent.connections();
            // Socket open, nothing read, no event, no pong: far longer than the bound, so only the keep-alive ends it.
            agent.stallNextRead(STALL_BOUND.multipliedBy(2).plusSeconds(2));
            await().atMost(T).until(agent::stalled);
            long stallSeen = System.nanoTime();
            awaitConfigured(sockets + 1);
            long replacedAfterMs = (System.nanoTime() - stallSeen) / 1_000_000;
            assertThat(agent.stalled()).as("replaced while the old socket is still hung").isTrue();
            await().atMost(T).until(() -> events(callId).contains("agent.reconnected"));
            assertThat(failures("transient", "agent_stalled") - stalledBefore).as("the stall, counted once")
                    .isEqualTo(1);
            heardAgainThenHungUp(edge, callId, hz);
            assertThat(events(callId)).doesNotContain("agent.failed")
                    .containsSubsequence("graph.accept", "agent.reconnected", "webhook.terminate", "call.ended");
            System.out.printf("stalled agent replaced %d ms after its stall began (bound %d ms)%n", replacedAfterMs,
                    STALL_BOUND.toMillis());
            assertThat(replacedAfterMs).as("not before the bound").isGreaterThanOrEqualTo(STALL_BOUND.toMillis()
                    - STALL_BOUND.toMillis() / 3 - 500);
        } finally {
            // The hung server thread wakes when its stall ends; the next case's stall must not overlap it.
            await().atMost(STALL_BOUND.multipliedBy(3)).until(() -> !agent.stalled());
        }
    }

    /**
     * After the agent's socket was replaced: the agent's next words reach the caller on the new socket, with no
     * apology, and the caller's hang-up ends the call as usual.
     */
    private void heardAgainThenHungUp(PionPeer edge, String callId, double hz) throws Exception {
        long packets = edge.counters().packetsReceived();
        say(hz, 1_000);
        edge.awaitPacketsReceived(packets + 40, T);
        short[] pcm = hangUp(edge, callId);
        assertThat(TestAudio.windowsAt(pcm, hz)).as("the agent heard on its new socket").isGreaterThanOrEqualTo(5);
        assertThat(TestAudio.windowsAt(pcm, APOLOGY_LOW_HZ)).as("no apology after a replaced socket").isZero();
        CallRecord row = t.server.repository().findCall(callId).orElseThrow();
        assertThat(row.endReason()).isEqualTo("caller_hangup");
    }

    /** Closes the agent may send mid-call, and what each must do: ride it out by reconnecting, or give up at once. */
    @ParameterizedTest(name = "close {0}")
    @ValueSource(ints = {1000, 1001, 1006, 1008, 1011, 4000})
    void aClosedAgentSocketIsReconnectedOrTheCallerHearsTheApologyAndTheCallEnds(int code) throws Exception {
        String callId = "wacid.AGENT-CLOSE-" + code;
        double hz = TestAudio.randomTone(800, 1000);
        boolean permanent = code == 1008;
        double transientBefore = t.server.metrics().find("wavoice.agent.failures").tag("kind", "transient").counters()
                .stream().mapToDouble(c -> c.count()).sum();
        double permanentBefore = failures("permanent", "close_1008");
        // The caller is silent for the policy close: with caller audio streaming, the close frame races our next
        // append; when that write breaks first, the JDK's client stops reading at once and the unread close frame is
        // lost, so the socket is reported as a broken pipe (transient) instead of 1008 (see the reliability notes).
        try (PionPeer edge = connect(callId, !permanent)) {
            int sockets = agent.connections();
            if (code == 1006) {
                agent.drop(); // no close frame: the TCP connection just ends
            } else {
                agent.closeNewest(code, "scripted close");
            }
            if (permanent) {
                CallRecord row = t.awaitCall(callId, c -> c.state().equals("ENDED"));
                assertThat(row.endReason()).isEqualTo("agent_failed");
                assertThat(row.endDetail()).contains("1008");
                await().atMost(T).until(() -> events(callId).contains("call.ended"));
                short[] pcm = heard(edge);
                assertThat(TestAudio.windowsAt(pcm, APOLOGY_HIGH_HZ)).as("apology, high").isGreaterThanOrEqualTo(1);
                assertThat(TestAudio.windowsAt(pcm, APOLOGY_LOW_HZ)).as("apology, low").isGreaterThanOrEqualTo(2);
                assertThat(agent.connections()).as("no reconnect after a policy close").isEqualTo(sockets);
                assertThat(events(callId)).containsSubsequence("graph.accept", "agent.failed", "graph.terminate",
                        "call.ended");
                assertThat(failures("permanent", "close_1008") - permanentBefore).isEqualTo(1);
                return;
            }
            awaitConfigured(sockets + 1);
            await().atMost(T).until(() -> events(callId).contains("agent.reconnected"));
            heardAgainThenHungUp(edge, callId, hz);
            assertThat(events(callId)).doesNotContain("agent.failed").contains("agent.connected")
                    .containsSubsequence("webhook.connect", "graph.pre_accept", "media.connected", "graph.accept",
                            "agent.reconnected", "webhook.terminate", "call.ended");
            double transientAfter = t.server.metrics().find("wavoice.agent.failures").tag("kind", "transient")
                    .counters().stream().mapToDouble(c -> c.count()).sum();
            assertThat(transientAfter - transientBefore).as("the lost socket, counted once").isEqualTo(1);
        }
    }
}
