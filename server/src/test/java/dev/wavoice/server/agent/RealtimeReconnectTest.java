package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.testsupport.LogCapture;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A session outliving its sockets: drops mid-call, giving up, and rollovers before the session limit. */
class RealtimeReconnectTest {
    private static final String KEY = "sk-test-1a2b3c4d5e6f-never-log-me";
    /** Long enough for the test to append while the session is between sockets. */
    private static final List<Duration> BACKOFF = List.of(Duration.ofMillis(2_000), Duration.ofMillis(100));

    private ScriptedRealtimeServer server;
    private RealtimeConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(20)); // a loaded 2-core machine, not a slow connector
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

    private RealtimeSession open(SessionPolicy policy) throws Exception {
        connector = new RealtimeConnector(AgentConfig.defaults(server.url(), Secret.of(KEY)), Duration.ofSeconds(15),
                RealtimeConnector.DEFAULT_MAX_EVENT_CHARS, policy);
        RealtimeSession session = (RealtimeSession) connector.open("call-r", listener).get(20, TimeUnit.SECONDS);
        await().until(() -> !server.received("session.update").isEmpty());
        return session;
    }

    private static SessionPolicy reconnecting() {
        return SessionPolicy.defaults().withReconnect(BACKOFF, 4, Duration.ofSeconds(20));
    }

    private static final String[] CONVERSATION = {
        "{\"type\":\"conversation.item.input_audio_transcription.completed\",\"item_id\":\"c1\","
                + "\"transcript\":\"Where is my order A-17?\"}",
        "{\"type\":\"response.output_audio_transcript.done\",\"item_id\":\"a1\","
                + "\"transcript\":\"It left the warehouse this morning.\"}",
        "{\"type\":\"conversation.item.input_audio_transcription.completed\",\"item_id\":\"c2\","
                + "\"transcript\":\"And when will it arrive?\"}"};

    private void converse() {
        for (String event : CONVERSATION) {
            server.send(event);
        }
    }

    @Test
    void aSocketDroppedMidResponseIsReplacedAndTheConversationRestored() throws Exception {
        try (LogCapture logs = new LogCapture(); RealtimeSession session = open(reconnecting())) {
            converse();
            server.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r2\"}}");
            server.send("{\"type\":\"response.output_audio_transcript.delta\",\"item_id\":\"a2\",\"delta\":\"Tomorrow \"}");
            server.send(RealtimeConnectorTest.delta("a2", new short[2_400]));
            await().until(() -> listener.audio("a2").length == 2_400);

            server.drop();
            await().until(() -> !session.connected());
            for (int i = 0; i < 5; i++) {
                session.appendAudio(new short[960], 0, 960); // between sockets: dropped and counted
            }
            await().until(() -> !listener.of(AgentEvent.Reconnected.class).isEmpty());

            AgentEvent.Reconnected reconnected = listener.of(AgentEvent.Reconnected.class).getFirst();
            assertThat(reconnected.reason()).startsWith("dropped: ").contains(": agent ").doesNotContain(KEY);
            assertThat(reconnected.silentMs()).isGreaterThanOrEqualTo(1_500); // at least the jittered 2 s backoff
            assertThat(session.counters().appendsDroppedWhileReconnecting()).isEqualTo(5);
            assertThat(session.counters().reconnects()).isEqualTo(1);
            assertThat(server.connections()).isEqualTo(2);
            assertThat(server.authorization).isEqualTo("Bearer " + KEY);

            await().until(() -> server.received(1, "session.update").size() == 1);
            String instructions = server.received(1, "session.update").getFirst()
                    .path("session").path("instructions").asText();
            assertThat(instructions).startsWith(AgentConfig.DEFAULT_INSTRUCTIONS).contains(
                    RealtimeSession.CONTEXT_INTRO + "Caller: Where is my order A-17?\n"
                            + "Assistant: It left the warehouse this morning.\n"
                            + "Caller: And when will it arrive?\n"
                            + "Assistant: Tomorrow [cut off]\n" + RealtimeSession.CONTEXT_OUTRO);
            JsonNode voice = server.received(1, "session.update").getFirst().path("session").path("audio");
            assertThat(voice.path("output").path("voice").asText()).isEqualTo("marin");
            // The cut answer is asked for again, after the session is configured.
            await().until(() -> server.received(1, "response.create").size() == 1);
            assertThat(server.received(1, "response.create").getFirst().path("response").path("instructions").asText())
                    .isEqualTo(RealtimeSession.RESUME_INSTRUCTIONS);

            // The same session object carries on both ways.
            server.send(RealtimeConnectorTest.delta("a3", new short[480]));
            session.appendAudio(new short[480], 0, 480);
            await().until(() -> listener.audio("a3").length == 480
                    && server.received(1, "input_audio_buffer.append").size() == 1);
            List<AgentEvent> events = listener.events();
            assertThat(events.indexOf(reconnected)).isLessThan(events.indexOf(listener.of(AgentEvent.AudioDelta.class)
                    .stream().filter(d -> d.itemId().equals("a3")).findFirst().orElseThrow()));
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();

            session.close();
            assertThat(logs.all()).contains("agent socket lost", "agent session continues on a new socket")
                    .doesNotContain(KEY);
        }
    }

    @Test
    void withTheDefaultPolicyADropCostsAboutTheFirstBackoffOfSilence() throws Exception {
        try (RealtimeSession session = open(SessionPolicy.defaults())) {
            long[] silent = new long[5];
            for (int i = 0; i < silent.length; i++) {
                int before = listener.of(AgentEvent.Reconnected.class).size();
                int connection = i;
                // The server registers a connection a moment after the client has it: drop the new one, not the old.
                await().until(() -> server.received(connection, "session.update").size() == 1);
                server.drop();
                await().until(() -> listener.of(AgentEvent.Reconnected.class).size() == before + 1);
                silent[i] = listener.of(AgentEvent.Reconnected.class).getLast().silentMs();
            }
            // 0.2 s ±25 % backoff, then a loopback connect; drops in a row keep the first delay only while the
            // socket lived 10 s, so later ones wait longer. Printed for BENCHMARKS.md, bounded generously.
            System.out.println("reconnect silence ms (default policy, 5 drops in a row): "
                    + Arrays.toString(silent));
            assertThat(silent[0]).isBetween(150L, 5_000L);
            assertThat(session.counters().reconnects()).isEqualTo(5);
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();
        }
    }

    @Test
    void aGreetingCutByADropOrAskedForWhileReconnectingIsGivenOnTheNewSocket() throws Exception {
        SessionPolicy policy = SessionPolicy.defaults().withReconnect(List.of(Duration.ofSeconds(2)), 4,
                Duration.ofSeconds(20));
        try (RealtimeSession session = open(policy)) {
            session.greet();
            server.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}");
            await().until(() -> server.received(0, "response.create").size() == 1);
            server.drop();
            await().until(() -> server.received(1, "response.create").size() == 1);
            assertThat(server.received(1, "response.create").getFirst().path("response").path("instructions").asText())
                    .isEqualTo(AgentConfig.DEFAULT_GREETING);
            assertThat(server.received(1, "session.update").getFirst().path("session").path("instructions").asText())
                    .isEqualTo(AgentConfig.DEFAULT_INSTRUCTIONS);

            server.drop();
            await().until(() -> !session.connected());
            session.greet();
            await().until(() -> server.received(2, "response.create").size() == 1);
            assertThat(server.received(2, "response.create").getFirst().path("response").path("instructions").asText())
                    .isEqualTo(AgentConfig.DEFAULT_GREETING);
        }
    }

    @Test
    void aToolAnsweredAfterTheDropReachesTheNewSessionAsContext() throws Exception {
        try (RealtimeSession session = open(reconnecting())) {
            server.send("{\"type\":\"response.function_call_arguments.done\",\"call_id\":\"call_9\","
                    + "\"name\":\"lookup_order\",\"arguments\":\"{}\"}");
            await().until(() -> !listener.of(AgentEvent.ToolCall.class).isEmpty());
            server.drop();
            await().until(() -> !session.connected());
            session.sendToolOutput("call_9", "{\"status\":\"shipped\"}"); // the HTTP tool finished meanwhile
            await().until(() -> server.received(1, "response.create").size() == 1);

            JsonNode item = server.received(1, "conversation.item.create").getFirst().path("item");
            assertThat(item.path("type").asText()).isEqualTo("message");
            assertThat(item.path("role").asText()).isEqualTo("system");
            assertThat(item.path("content").get(0).path("text").asText())
                    .contains("lookup_order").endsWith("{\"status\":\"shipped\"}");
            assertThat(server.received(1, "response.create").getFirst().has("response")).isFalse();
            assertThat(server.received("conversation.item.create")).hasSize(1);
        }
    }

    @Test
    void anAgentThatStaysAwayEndsTheSessionAfterBoundedAttempts() throws Exception {
        try (LogCapture logs = new LogCapture(); RealtimeSession session = open(SessionPolicy.defaults()
                .withReconnect(List.of(Duration.ofMillis(50), Duration.ofMillis(100)), 3, Duration.ofSeconds(20)))) {
            server.close(); // closes the socket and refuses new ones
            await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());

            assertThat(listener.of(AgentEvent.Closed.class)).singleElement().satisfies(c -> assertThat(c.reason())
                    .startsWith("agent unreachable: ").contains(": agent ").endsWith("gave up after 3 reconnect attempts")
                    .doesNotContain(KEY));
            assertThat(listener.events().getLast()).isInstanceOf(AgentEvent.Closed.class);
            assertThat(listener.of(AgentEvent.Reconnected.class)).isEmpty();
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("agent reconnect failed")).hasSize(3);
            assertThat(logs.all()).doesNotContain(KEY);
            session.appendAudio(new short[960], 0, 960);
            assertThat(session.counters().appendsDropped()).isEqualTo(1);
            assertThat(session.counters().appendsDroppedWhileReconnecting()).isZero(); // closed, not reconnecting
        }
    }

    @Test
    void closingWhileReconnectingEndsTheSessionOnce() throws Exception {
        RealtimeSession session = open(reconnecting());
        server.drop();
        await().until(() -> !session.connected());
        session.close(); // during the 2 s backoff
        sleep(3_000);
        assertThat(listener.of(AgentEvent.Closed.class)).singleElement()
                .isEqualTo(new AgentEvent.Closed("closed by wavoice", null));
        assertThat(listener.of(AgentEvent.Reconnected.class)).isEmpty();
        assertThat(server.connections()).as("no socket dialled after close").isEqualTo(1);
    }

    @Test
    void aQuietSessionRollsOverWithoutLosingCallerAudio() throws Exception {
        SessionPolicy policy = SessionPolicy.defaults().withRollover(Duration.ofMillis(1_500), Duration.ofSeconds(30));
        server.onFirstSessionUpdate(CONVERSATION);
        try (RealtimeSession session = open(policy)) {
            AtomicBoolean talking = new AtomicBoolean(true);
            int[] appended = {0};
            Thread caller = Thread.ofPlatform().start(() -> {
                short[] frame = new short[480];
                while (talking.get()) {
                    session.appendAudio(frame, 0, frame.length);
                    appended[0]++;
                    sleep(20);
                }
            });
            await().until(() -> !listener.of(AgentEvent.Reconnected.class).isEmpty());
            sleep(300);
            talking.set(false);
            caller.join();

            assertThat(listener.of(AgentEvent.Reconnected.class)).singleElement()
                    .isEqualTo(new AgentEvent.Reconnected("rollover", 0));
            assertThat(server.connections()).isEqualTo(2);
            await().until(() -> server.closedConnections().contains(0)); // the old socket, closed by us
            int sent = server.received(0, "input_audio_buffer.append").size()
                    + server.received(1, "input_audio_buffer.append").size();
            await().until(() -> server.received(0, "input_audio_buffer.append").size()
                    + server.received(1, "input_audio_buffer.append").size() == appended[0]);
            assertThat(sent).isLessThanOrEqualTo(appended[0]);
            assertThat(server.received(1, "input_audio_buffer.append")).isNotEmpty();
            assertThat(session.counters().appendsDropped()).isZero();
            assertThat(session.counters().rollovers()).isEqualTo(1);
            assertThat(server.received(1, "session.update").getFirst().path("session").path("instructions").asText())
                    .contains("Caller: And when will it arrive?");
            assertThat(server.received(1, "response.create")).as("nothing was cut, nothing to resume").isEmpty();
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();
        }
    }

    @Test
    void aRolloverWaitsForTheResponseToFinish() throws Exception {
        SessionPolicy policy = SessionPolicy.defaults().withRollover(Duration.ofMillis(500), Duration.ofSeconds(30));
        server.onFirstSessionUpdate("{\"type\":\"input_audio_buffer.speech_started\",\"item_id\":\"c1\"}",
                "{\"type\":\"input_audio_buffer.speech_stopped\",\"item_id\":\"c1\"}",
                "{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}");
        try (RealtimeSession session = open(policy)) {
            await().until(() -> !listener.of(AgentEvent.SpeechStopped.class).isEmpty());
            sleep(1_500); // three times the rollover age, far from the forced one
            assertThat(server.connections()).isEqualTo(1);

            server.send("{\"type\":\"response.done\",\"response\":{\"status\":\"completed\"}}");
            await().until(() -> !listener.of(AgentEvent.Reconnected.class).isEmpty());
            assertThat(server.connections()).isEqualTo(2);
            assertThat(listener.of(AgentEvent.Reconnected.class).getFirst().reason()).isEqualTo("rollover");
        }
    }

    @Test
    void anUnansweredToolCallHoldsTheRolloverBack() throws Exception {
        SessionPolicy policy = SessionPolicy.defaults().withRollover(Duration.ofMillis(500), Duration.ofSeconds(30));
        server.onFirstSessionUpdate("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}",
                "{\"type\":\"response.function_call_arguments.done\",\"call_id\":\"call_5\","
                        + "\"name\":\"lookup_order\",\"arguments\":\"{}\"}",
                "{\"type\":\"response.done\",\"response\":{\"status\":\"completed\"}}");
        try (RealtimeSession session = open(policy)) {
            await().until(() -> !listener.of(AgentEvent.ToolCall.class).isEmpty());
            sleep(1_500);
            assertThat(server.connections()).as("the tool's answer belongs to this session").isEqualTo(1);

            session.sendToolOutput("call_5", "{\"status\":\"shipped\"}");
            server.send("{\"type\":\"response.created\",\"response\":{\"id\":\"r2\"}}");
            server.send("{\"type\":\"response.done\",\"response\":{\"status\":\"completed\"}}");
            await().until(() -> !listener.of(AgentEvent.Reconnected.class).isEmpty());
            await().until(() -> !server.received(0, "conversation.item.create").isEmpty());
            assertThat(server.received(0, "conversation.item.create").getFirst().path("item").path("type").asText())
                    .isEqualTo("function_call_output");
        }
    }

    @Test
    void aResponseThatNeverEndsIsCutAtTheForcedRolloverAndResumed() throws Exception {
        SessionPolicy policy = SessionPolicy.defaults().withRollover(Duration.ofMillis(300), Duration.ofMillis(1_200));
        server.onFirstSessionUpdate("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}",
                "{\"type\":\"response.output_audio_transcript.delta\",\"item_id\":\"a1\",\"delta\":\"Your order\"}",
                RealtimeConnectorTest.delta("a1", new short[480]));
        try (RealtimeSession session = open(policy)) {
            await().until(() -> listener.audio("a1").length == 480);
            await().until(() -> !listener.of(AgentEvent.Reconnected.class).isEmpty());
            assertThat(listener.of(AgentEvent.Reconnected.class).getFirst().reason()).isEqualTo("rollover");
            await().until(() -> server.received(1, "response.create").size() == 1); // sent after the session.update
            assertThat(server.received(1, "session.update").getFirst().path("session").path("instructions").asText())
                    .contains("Assistant: Your order [cut off]");
            assertThat(server.received(1, "response.create").getFirst().path("response").path("instructions")
                    .asText()).isEqualTo(RealtimeSession.RESUME_INSTRUCTIONS);

            // The old socket's late audio is not delivered; the truncate of its item is not sent to the new session.
            server.send(0, RealtimeConnectorTest.delta("a1", new short[480]));
            session.truncate("a1", 10);
            session.appendAudio(new short[480], 0, 480); // sent after where the truncate would have gone
            server.send(1, RealtimeConnectorTest.delta("b1", new short[480]));
            await().until(() -> listener.audio("b1").length == 480
                    && !server.received(1, "input_audio_buffer.append").isEmpty());
            assertThat(listener.audio("a1")).hasSize(480);
            assertThat(server.received("conversation.item.truncate")).isEmpty();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
