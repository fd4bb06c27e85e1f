package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.testsupport.LogCapture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connector against a scripted server: what it sends, and how it survives what it receives. */
class RealtimeConnectorTest {
    private static final String KEY = "sk-test-9f8e7d6c5b4a-never-log-me";

    private ScriptedRealtimeServer server;
    private RealtimeConnector connector;
    private final RecordingListener listener = new RecordingListener();

    @BeforeEach
    void start() {
        Awaitility.setDefaultTimeout(Duration.ofSeconds(20)); // a loaded 2-core machine, not a slow connector
        server = new ScriptedRealtimeServer();
        connector = connector(RealtimeConnector.DEFAULT_MAX_EVENT_CHARS);
    }

    @AfterEach
    void stop() {
        connector.close();
        server.close();
        Awaitility.reset();
    }

    private RealtimeConnector connector(int maxEventChars) {
        AgentConfig config = AgentConfig.defaults(server.url(), Secret.of(KEY));
        return new RealtimeConnector(config, Duration.ofSeconds(15), maxEventChars);
    }

    private RealtimeSession open() throws Exception {
        RealtimeSession session = (RealtimeSession) connector.open("call-1", listener).get(20, TimeUnit.SECONDS);
        await().until(() -> !server.received("session.update").isEmpty());
        return session;
    }

    @Test
    void sessionUpdateCarriesTheConfiguredSessionAndTheKeyOnlyInTheHeader() throws Exception {
        try (LogCapture logs = new LogCapture(); RealtimeSession session = open()) {
            JsonNode s = server.received("session.update").getFirst().path("session");
            assertThat(s.path("type").asText()).isEqualTo("realtime");
            assertThat(s.path("instructions").asText()).isEqualTo(AgentConfig.DEFAULT_INSTRUCTIONS);
            JsonNode in = s.path("audio").path("input");
            assertThat(in.path("format").path("type").asText()).isEqualTo("audio/pcm");
            assertThat(in.path("format").path("rate").asInt()).isEqualTo(24000);
            assertThat(in.path("turn_detection").path("type").asText()).isEqualTo("server_vad");
            assertThat(in.path("transcription").path("model").asText()).isEqualTo("gpt-4o-mini-transcribe");
            JsonNode out = s.path("audio").path("output");
            assertThat(out.path("format").path("type").asText()).isEqualTo("audio/pcm");
            assertThat(out.path("format").path("rate").asInt()).isEqualTo(24000);
            assertThat(out.path("voice").asText()).isEqualTo("marin");
            JsonNode endCall = s.path("tools").get(0);
            assertThat(endCall.path("type").asText()).isEqualTo("function");
            assertThat(endCall.path("name").asText()).isEqualTo("end_call");
            assertThat(endCall.path("parameters").path("type").asText()).isEqualTo("object");
            assertThat(s.path("tool_choice").asText()).isEqualTo("auto");

            assertThat(server.authorization).isEqualTo("Bearer " + KEY);
            assertThat(server.query).isEqualTo("model=gpt-realtime");
            assertThat(server.received().toString()).doesNotContain(KEY);
            session.close();
            await().until(() -> !listener.of(AgentEvent.Closed.class).isEmpty());
            assertThat(logs.all()).contains("agent session open").doesNotContain(KEY);
        }
    }

    @Test
    void callerAudioGoesOutIn20To40MsAppendsWhateverTheFrameSize() throws Exception {
        try (RealtimeSession session = open()) {
            short[] pcm = new short[24_024];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (short) i;
            }
            for (int off = 0; off < pcm.length; off += 168) { // 7 ms pieces
                session.appendAudio(pcm, off, 168);
            }
            // Whole 20 ms frames, as the call delivers them: one append each.
            short[] frame = new short[480];
            for (int i = 0; i < 10; i++) {
                session.appendAudio(frame, 0, 480);
                Thread.sleep(20);
            }
            await().until(() -> server.received("input_audio_buffer.append").size() >= 35);
            List<short[]> appends = server.received("input_audio_buffer.append").stream()
                    .map(e -> decode(e.path("audio").asText())).toList();
            assertThat(appends).allSatisfy(a -> assertThat(a.length).isBetween(480, 960));
            int sent = appends.stream().mapToInt(a -> a.length).sum();
            assertThat(sent).isEqualTo(24_024 + 4_800);
            short[] first = appends.getFirst();
            assertThat(first[0]).isEqualTo((short) 0);
            assertThat(first[first.length - 1]).isEqualTo((short) (first.length - 1));
            assertThat(appends.subList(appends.size() - 9, appends.size())).allSatisfy(a -> assertThat(a).hasSize(480));
            assertThat(session.counters().appendsDropped()).isZero();
            assertThat(server.received("input_audio_buffer.append")).allSatisfy(a ->
                    assertThat(a.path("audio").asText()).matches("[A-Za-z0-9+/]+=*"));
        }
    }

    @Test
    void errorsAreSurfacedAndJunkIsCountedNotFatal() throws Exception {
        try (LogCapture logs = new LogCapture(); RealtimeSession session = open()) {
            server.send("""
                    {"type":"error","error":{"type":"invalid_request_error","code":"invalid_value","message":"bad voice"}}""");
            server.send("""
                    {"type":"error","error":{"type":"rate_limit_error","code":"rate_limit_exceeded","message":"slow down"}}""");
            server.send("{\"type\":\"response.future_thing\",\"x\":1}");
            server.send("{\"type\":\"response.future_thing\",\"x\":2}");
            server.send("{not json");
            server.send("{\"type\":\"response.output_audio.delta\",\"item_id\":\"i\",\"delta\":\"@@@\"}");
            server.send("{\"type\":\"input_audio_buffer.speech_started\",\"item_id\":\"item_9\",\"audio_start_ms\":5}");
            await().until(() -> !listener.of(AgentEvent.SpeechStarted.class).isEmpty());

            assertThat(listener.of(AgentEvent.Error.class)).containsExactly(
                    new AgentEvent.Error("invalid_request_error", "invalid_value", "bad voice"),
                    new AgentEvent.Error("rate_limit_error", "rate_limit_exceeded", "slow down"));
            assertThat(listener.of(AgentEvent.SpeechStarted.class)).containsExactly(new AgentEvent.SpeechStarted("item_9"));
            assertThat(session.counters().unknownEvents()).isEqualTo(2);
            assertThat(session.counters().malformedEvents()).isEqualTo(2);
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();
            assertThat(logs.lines()).filteredOn(l -> l.contains("response.future_thing")).hasSize(1);
            assertThat(logs.lines()).filteredOn(l -> l.contains("malformed")).hasSize(1);
        }
    }

    @Test
    void anUnreachableEndpointFailsTheOpenWithoutTheKey() throws Exception {
        URI nowhere;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = URI.create("ws://127.0.0.1:" + s.getLocalPort() + "/v1/realtime");
        }
        try (LogCapture logs = new LogCapture();
             RealtimeConnector c = new RealtimeConnector(AgentConfig.defaults(nowhere, Secret.of(KEY)))) {
            assertThatThrownBy(() -> c.open("call-2", listener).get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(AgentConnectException.class)
                    .hasMessageContaining(nowhere.toString()).hasMessageNotContaining(KEY);
            assertThat(logs.all()).contains("agent connect failed").doesNotContain(KEY);
        }
    }

    @Test
    void largeDeltasAreReassembledAndOversizedOnesDropped() throws Exception {
        connector.close();
        connector = connector(200_000);
        try (RealtimeSession session = open()) {
            short[] twoSeconds = new short[48_000]; // 128 KB of base64: arrives in several partial frames
            twoSeconds[47_999] = 7;
            server.send(delta("big", twoSeconds));
            server.send(delta("huge", new short[120_000])); // 320 KB > 200 KB limit
            server.send(delta("small", new short[240]));
            await().until(() -> listener.of(AgentEvent.AudioDelta.class).size() >= 2);
            assertThat(listener.audio("big")).hasSize(48_000).endsWith((short) 7);
            assertThat(listener.audio("huge")).isEmpty();
            assertThat(listener.audio("small")).hasSize(240);
            assertThat(session.counters().oversizedEvents()).isEqualTo(1);
        }
    }

    @Test
    void betaEventNamesTranscriptsAndUsageAreUnderstood() throws Exception {
        try (RealtimeSession session = open()) {
            server.send(delta("a1", new short[480]).replace("response.output_audio.delta", "response.audio.delta"));
            server.send("{\"type\":\"response.audio_transcript.delta\",\"item_id\":\"a1\",\"delta\":\"Hel\"}");
            server.send("{\"type\":\"response.output_audio_transcript.done\",\"item_id\":\"a1\",\"transcript\":\"Hello\"}");
            server.send("{\"type\":\"conversation.item.input_audio_transcription.completed\",\"item_id\":\"c1\","
                    + "\"transcript\":\"Hi there\"}");
            server.send("""
                    {"type":"response.done","response":{"status":"completed","usage":{"input_tokens":120,"output_tokens":80,
                    "input_token_details":{"audio_tokens":100},"output_token_details":{"audio_tokens":70}}}}""");
            await().until(() -> !listener.of(AgentEvent.Usage.class).isEmpty());
            assertThat(listener.audio("a1")).hasSize(480);
            assertThat(listener.of(AgentEvent.Transcript.class)).containsExactly(
                    new AgentEvent.Transcript(AgentEvent.Speaker.ASSISTANT, "Hel", false, "a1"),
                    new AgentEvent.Transcript(AgentEvent.Speaker.ASSISTANT, "Hello", true, "a1"),
                    new AgentEvent.Transcript(AgentEvent.Speaker.CALLER, "Hi there", true, "c1"));
            assertThat(listener.of(AgentEvent.Usage.class)).containsExactly(new AgentEvent.Usage(120, 80, 100, 70));
            assertThat(session.counters().unknownEvents()).isZero();
        }
    }

    @Test
    void greetTruncateAndAToolRoundTrip() throws Exception {
        try (RealtimeSession session = open()) {
            session.greet();
            session.truncate("item_7", 1_234);
            server.send("""
                    {"type":"response.function_call_arguments.done","call_id":"call_42","name":"lookup_order",
                     "arguments":"{\\"order\\":\\"A-1\\"}"}""");
            await().until(() -> !listener.of(AgentEvent.ToolCall.class).isEmpty());
            AgentEvent.ToolCall call = listener.of(AgentEvent.ToolCall.class).getFirst();
            assertThat(call).isEqualTo(new AgentEvent.ToolCall("call_42", "lookup_order", "{\"order\":\"A-1\"}"));
            session.sendToolOutput(call.callId(), "{\"status\":\"shipped\"}");

            await().until(() -> server.received("response.create").size() >= 2);
            assertThat(server.received("response.create").getFirst().path("response").path("instructions").asText())
                    .isEqualTo(AgentConfig.DEFAULT_GREETING);
            JsonNode truncate = server.received("conversation.item.truncate").getFirst();
            assertThat(truncate.path("item_id").asText()).isEqualTo("item_7");
            assertThat(truncate.path("content_index").asInt()).isZero();
            assertThat(truncate.path("audio_end_ms").asLong()).isEqualTo(1_234);
            List<String> order = server.received().stream().map(e -> e.path("type").asText()).toList();
            int create = order.indexOf("conversation.item.create");
            assertThat(order.get(create + 1)).isEqualTo("response.create");
            JsonNode item = server.received("conversation.item.create").getFirst().path("item");
            assertThat(item.path("type").asText()).isEqualTo("function_call_output");
            assertThat(item.path("call_id").asText()).isEqualTo("call_42");
            assertThat(item.path("output").asText()).isEqualTo("{\"status\":\"shipped\"}");
        }
    }

    @Test
    void errorsOfEveryTypeLeaveTheSessionUsable() throws Exception {
        try (RealtimeSession session = open()) {
            for (String type : List.of("invalid_request_error", "server_error", "rate_limit_exceeded")) {
                server.send("{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"code\":null,"
                        + "\"message\":\"m-" + type + "\",\"param\":null,\"event_id\":null}}");
            }
            await().until(() -> listener.of(AgentEvent.Error.class).size() == 3);
            assertThat(listener.of(AgentEvent.Error.class)).extracting(AgentEvent.Error::type)
                    .containsExactly("invalid_request_error", "server_error", "rate_limit_exceeded");
            assertThat(listener.of(AgentEvent.Error.class)).extracting(AgentEvent.Error::message)
                    .containsExactly("m-invalid_request_error", "m-server_error", "m-rate_limit_exceeded");

            // Still a working session both ways.
            session.appendAudio(new short[960], 0, 960);
            server.send(delta("after", new short[480]));
            await().until(() -> listener.audio("after").length == 480
                    && server.received("input_audio_buffer.append").size() == 1);
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();
            assertThat(session.connected()).isTrue();
        }
    }

    @Test
    void rateLimitUpdatesAreLoggedOnlyWhenALimitTurnsLowOrRecovers() throws Exception {
        try (LogCapture logs = new LogCapture(); RealtimeSession session = open()) {
            for (int remaining : new int[] {900, 800, 50, 40, 30, 700, 600}) {
                server.send("{\"type\":\"rate_limits.updated\",\"rate_limits\":[{\"name\":\"requests\","
                        + "\"limit\":1000,\"remaining\":" + remaining + ",\"reset_seconds\":1.5},"
                        + "{\"name\":\"tokens\",\"limit\":50000,\"remaining\":49000,\"reset_seconds\":0.2}]}");
            }
            server.send("{\"type\":\"rate_limits.updated\",\"rate_limits\":\"not a list\"}");
            server.send("{\"type\":\"input_audio_buffer.speech_started\",\"item_id\":\"after\"}");
            await().until(() -> !listener.of(AgentEvent.SpeechStarted.class).isEmpty());

            assertThat(logs.lines()).filteredOn(l -> l.startsWith("agent rate limit low"))
                    .singleElement().asString().contains("limit=requests", "remaining=50", "callId=call-1");
            assertThat(logs.lines()).filteredOn(l -> l.startsWith("agent rate limit recovered"))
                    .singleElement().asString().contains("remaining=700");
            assertThat(session.counters().unknownEvents()).isZero();
            assertThat(session.counters().malformedEvents()).isZero();
            assertThat(listener.events()).hasSize(1); // rate limits are the connector's business, not the bridge's
        }
    }

    @Test
    void appendAudioNeverWaitsForAStalledServerAndCountsWhatItDrops() throws Exception {
        try (RealtimeSession session = open()) {
            server.stallNextRead(Duration.ofSeconds(20));
            session.appendAudio(new short[960], 0, 960); // the read the server stalls on
            await().until(server::stalled);

            // ~50 MB of appends, far beyond what the socket buffers between us and the stalled reader can hold.
            int frames = 20_000;
            short[] frame = new short[960];
            long slowest = 0;
            long started = System.nanoTime();
            for (int i = 0; i < frames; i++) {
                long t = System.nanoTime();
                session.appendAudio(frame, 0, frame.length);
                slowest = Math.max(slowest, System.nanoTime() - t);
            }
            long total = System.nanoTime() - started;
            assertThat(server.stalled()).as("every append returned while the server was still stalled").isTrue();
            assertThat(Duration.ofNanos(slowest)).as("slowest single append vs the 20 s stall")
                    .isLessThan(Duration.ofSeconds(2));
            RealtimeSession.Counters c = session.counters();
            assertThat(c.appendsDropped()).as("dropped, counted").isGreaterThan(frames / 2);
            assertThat(c.appendsSent() + c.appendsDropped()).isLessThanOrEqualTo(frames + 1);
            assertThat(frames + 1 - c.appendsSent() - c.appendsDropped())
                    .as("still waiting to be sent: bounded").isLessThanOrEqualTo(RealtimeSocket.MAX_PENDING_APPENDS);
            assertThat(listener.of(AgentEvent.Closed.class)).isEmpty();
            System.out.printf("stalled-server appends: %d in %d ms, slowest %.2f ms, dropped %d%n", frames,
                    total / 1_000_000, slowest / 1e6, c.appendsDropped());
        }
    }

    static String delta(String itemId, short[] pcm) {
        return "{\"type\":\"response.output_audio.delta\",\"item_id\":\"" + itemId + "\",\"delta\":\""
                + Pcm16.toBase64(pcm, 0, pcm.length) + "\"}";
    }

    private static short[] decode(String base64) {
        byte[] b = Base64.getDecoder().decode(base64);
        short[] pcm = new short[b.length / 2];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8));
        }
        return pcm;
    }

}
