package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.OpenAiStandIn;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.StandInEvent;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.ScriptedRealtimeServer;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebRTC agent transport against an independent stand-in for OpenAI's Realtime WebRTC endpoint (Go: Pion for the
 * media, gorilla/websocket for the sideband), with Pion as WhatsApp's ICE-lite edge: a signed call is relayed to the
 * agent's leg as Opus both ways; the stand-in hears the caller's tone and answers with tones of its own, which the
 * edge hears; transcripts and usage come over the sideband into the call log; wavoice decodes and encodes nothing.
 * Then a leg dropped mid-call, and an agent endpoint that fails in each way it can.
 */
@Timeout(180)
class OpenAiWebRtcCallTest {
    static final Duration T = Duration.ofSeconds(20);
    static final String KEY = "sk-webrtc-test-0123456789";
    static final double GREETING_HZ = 880, REPLY_HZ = 1240;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeers() {
        PionPeer.binary();
        OpenAiStandIn.binary();
    }

    private OpenAiStandIn.Options agent() {
        return OpenAiStandIn.Options.defaults().withKey(KEY)
                .withGreetingOpusFile(TestAudio.toneBetweenSilences(dir, GREETING_HZ, 0, 40, 2))
                .withReplyOpusFile(TestAudio.toneBetweenSilences(dir, REPLY_HZ, 0, 60, 2))
                .withRecordDir(dir);
    }

    /** A wavoice with the OpenAI agent over WebRTC at the stand-in, its startup check over. */
    private TestServer server(String realtimeUrl, UnaryOperator<dev.wavoice.server.config.WavoiceConfig.Builder> more)
            throws Exception {
        TestServer t = new TestServer(dir.resolve("db-" + System.nanoTime()), null,
                AgentConfig.defaults(URI.create(realtimeUrl), Secret.of(KEY)),
                b -> more.apply(b.agent(AgentKind.OPENAI).agentTransport(AgentTransport.WEBRTC)));
        await().atMost(T).until(() -> !List.of("unchecked", "checking")
                .contains(t.server.agentHealth().status().state()));
        return t;
    }

    /** The agent call id the stand-in gave the call's leg number {@code leg}, from the call log (once written). */
    private static String agentCallId(TestServer t, String callId, int leg) {
        return await().atMost(T).until(() -> t.server.repository().events(callId).stream()
                .filter(e -> e.type().equals("agent.leg") && e.detail().startsWith("leg=" + leg + " "))
                .map(e -> e.detail().replaceAll(".*agentCallId=(\\S+).*", "$1")).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    private static List<String> eventTypes(TestServer t, String callId) throws Exception {
        return t.server.repository().events(callId).stream().map(CallEventRecord::type).toList();
    }

    @Test
    void aCallIsRelayedToTheAgentWithoutTranscoding() throws Exception {
        double hz = TestAudio.randomTone(300, 550);
        Path says = TestAudio.toneBetweenSilences(dir, hz, 75, 60, 200);
        try (OpenAiStandIn openai = OpenAiStandIn.start(agent());
             TestServer t = server(openai.realtimeUrl(), b -> b);
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says)
                     .withRecord(dir.resolve("heard.rec")).withDtmf("42#").withArgs("-dtmf-delay", "1s")
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.WEBRTC-E2E";
            whatsapp.sendAnswer(t.ring(callId, "1764003000", whatsapp.offer(T)).sdp());
            whatsapp.awaitConnected(T);
            assertThat(t.awaitCall(callId, c -> c.state().equals("CONNECTED")).agent()).isEqualTo("openai/webrtc");

            await().atMost(T).until(() -> t.server.repository().transcripts(callId).stream()
                    .anyMatch(r -> r.speaker().equals("assistant") && r.text().contains("Reply from the stand-in")));
            Thread.sleep(1_500); // the reply's 1.2 s of audio
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 9L));
            assertThat(t.awaitCall(callId, c -> c.state().equals("ENDED")).endReason()).isEqualTo("caller_hangup");
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, GREETING_HZ)).as("the agent's greeting at the edge").isGreaterThanOrEqualTo(4);
            assertThat(TestAudio.windowsAt(heard, REPLY_HZ)).as("the agent's reply at the edge").isGreaterThanOrEqualTo(6);
            String rtc = agentCallId(t, callId, 1);
            assertThat(TestAudio.windowsAt(TestAudio.decodePayloads(openai.recordedPayloads(rtc)), hz))
                    .as("the caller's %.0f Hz at the agent", hz).isGreaterThanOrEqualTo(6);

            // What the agent was told: the session part of the offer, then the sideband's session.update.
            StandInEvent created = openai.awaitEvent("call_created", rtc, T);
            assertThat(created.string("session", "model")).isEqualTo("gpt-realtime");
            assertThat(created.string("session", "audio", "output", "voice")).isEqualTo("marin");
            Map<String, Object> update = openai.clientEvents(rtc).stream()
                    .filter(e -> "session.update".equals(e.get("type"))).findFirst().orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> session = (Map<String, Object>) update.get("session");
            assertThat(session.get("instructions")).isEqualTo(AgentConfig.DEFAULT_INSTRUCTIONS);
            assertThat(session.get("tools").toString()).contains("end_call");
            assertThat(session.get("audio").toString()).as("no PCM formats over WebRTC").doesNotContain("audio/pcm");
            assertThat(openai.clientEventTypes(rtc)).contains("response.create")
                    .doesNotContain("input_audio_buffer.append");
            assertThat(openai.clientEvents(rtc).toString()).as("the caller's keys as text")
                    .contains("keypad: 42#");

            await().atMost(T).untilAsserted(() -> assertThat(t.server.repository().transcripts(callId))
                    .extracting(TranscriptRecord::text).contains("caller tone", "Hello from the stand-in",
                            "Reply from the stand-in"));
            assertThat(t.server.repository().usage(callId)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(eventTypes(t, callId)).contains("agent.leg", "agent.connected", "agent.first_audio", "caller.dtmf")
                    .containsSubsequence("webhook.connect", "graph.pre_accept", "media.connected", "graph.accept");
            assertThat(t.get("/metrics").body()).as("no Opus decode or encode on the path")
                    .contains("wavoice_opus_frames_total{op=\"decode\"} 0.0")
                    .contains("wavoice_opus_frames_total{op=\"encode\"} 0.0");
        }
    }

    @Test
    void aLegDroppedMidCallIsReplacedWhileTheCallerStaysOnTheLine() throws Exception {
        double hz = TestAudio.randomTone(300, 550);
        // The first leg is dropped 1.5 s after the call connected; the caller speaks from 4 s on, to the second leg.
        Path says = TestAudio.toneBetweenSilences(dir, hz, 200, 60, 200);
        try (OpenAiStandIn openai = OpenAiStandIn.start(agent());
             TestServer t = server(openai.realtimeUrl(), b -> b);
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says)
                     .withRecord(dir.resolve("heard.rec")).withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.WEBRTC-LEG-DROP";
            whatsapp.sendAnswer(t.ring(callId, "1764003100", whatsapp.offer(T)).sdp());
            whatsapp.awaitConnected(T);
            t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            Thread.sleep(1_500);
            openai.dropCall(agentCallId(t, callId, 1));
            StandInEvent dropped = openai.awaitEvent(e -> e.name().equals("leg_dropped"), "the first leg dropped", T);
            await().atMost(T).until(() -> eventTypes(t, callId).contains("agent.reconnected"));
            String second = agentCallId(t, callId, 2);
            StandInEvent reconnected = openai.awaitEvent("connected", second, T);
            long gapMs = Math.round(reconnected.tMs() - dropped.tMs());
            CallEventRecord event = t.server.repository().events(callId).stream()
                    .filter(e -> e.type().equals("agent.reconnected")).findFirst().orElseThrow();
            System.out.printf("leg replaced: drop -> new leg's media connected %d ms; wavoice: %s%n", gapMs,
                    event.detail());
            assertThat(gapMs).as("drop to the new leg's media").isLessThan(3_000);

            await().atMost(T).until(() -> t.server.repository().transcripts(callId).stream()
                    .anyMatch(r -> r.text().contains("Reply from the stand-in")));
            Thread.sleep(1_500);
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 9L));
            t.awaitCall(callId, c -> c.state().equals("ENDED"));
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            assertThat(TestAudio.windowsAt(TestAudio.decode(whatsapp.recording()), REPLY_HZ))
                    .as("the reply, from the second leg, at the edge").isGreaterThanOrEqualTo(6);
            assertThat(TestAudio.windowsAt(TestAudio.decodePayloads(openai.recordedPayloads(second)), hz))
                    .as("the caller's tone at the second leg").isGreaterThanOrEqualTo(6);
            assertThat(eventTypes(t, callId).stream().filter("agent.leg"::equals)).as("one call, two agent legs")
                    .hasSize(2);
            assertThat(t.server.repository().recentCalls(10).stream().filter(c -> c.callId().equals(callId))).hasSize(1);
            // The new leg's session carries what was said on the first.
            Map<String, Object> update = openai.clientEvents(second).stream()
                    .filter(e -> "session.update".equals(e.get("type"))).findFirst().orElseThrow();
            assertThat(update.toString()).contains("continues on a new connection").contains("Hello from the stand-in");
        }
    }

    @Test
    void theCallerTalkingOverTheAgentIsLoggedAsAnInterruption() throws Exception {
        double hz = TestAudio.randomTone(300, 550);
        // Says something, pauses for the 1.2 s reply, and talks again 0.6 s into it.
        Path says = TestAudio.alternating(dir, hz, 75, 60, 45, 60, 150);
        try (OpenAiStandIn openai = OpenAiStandIn.start(agent());
             TestServer t = server(openai.realtimeUrl(), b -> b);
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says)
                     .withDuration(Duration.ofSeconds(30)))) {
            String callId = "wacid.WEBRTC-BARGE-IN";
            whatsapp.sendAnswer(t.ring(callId, "1764003150", whatsapp.offer(T)).sdp());
            whatsapp.awaitConnected(T);
            String rtc = agentCallId(t, callId, 1);
            openai.awaitServerEvent(rtc, "output_audio_buffer.cleared", T);
            await().atMost(T).until(() -> eventTypes(t, callId).contains("agent.interrupted"));
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 7L));
            t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(t.server.repository().transcripts(callId)).as("the cut reply is marked interrupted")
                    .anyMatch(r -> r.speaker().equals("assistant") && r.interrupted());
        }
    }

    /** How a ringing call ends when the agent's calls endpoint fails; never half-open. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-500", "http-400", "bad-sdp", "no-opus", "timeout"})
    void aFailingAgentEndpointEndsTheCallWithTheReason(String fault) throws Exception {
        OpenAiStandIn.Options options = switch (fault) {
            case "http-500" -> agent().withFailStatus(500);
            case "http-400" -> agent().withFailStatus(400);
            case "bad-sdp" -> agent().withBadSdp();
            case "no-opus" -> agent().withNoOpus();
            default -> agent().withAnswerDelay(Duration.ofSeconds(6));
        };
        String code = switch (fault) {
            case "http-500" -> "http_5xx";
            case "http-400" -> "http_4xx";
            case "timeout" -> "timeout";
            default -> "agent_answer_unusable";
        };
        boolean permanent = !fault.equals("http-500") && !fault.equals("timeout");
        try (OpenAiStandIn openai = OpenAiStandIn.start(options);
             TestServer t = server(openai.realtimeUrl(), b -> b.agentUnavailable(AgentUnavailable.AUTO)
                     .mediaConnectTimeout(Duration.ofSeconds(3)));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withDuration(Duration.ofSeconds(20)))) {
            String callId = "wacid.WEBRTC-FAULT-" + fault;
            t.postConnect(callId, "1764003200", whatsapp.offer(T));
            await().atMost(T).until(() -> !t.graph.requests(r -> callId.equals(r.callId())
                    && List.of("pre_accept", "reject").contains(r.action())).isEmpty());
            t.graph.requests(r -> callId.equals(r.callId()) && "pre_accept".equals(r.action())).stream()
                    .findFirst().ifPresent(r -> whatsapp.sendAnswer(r.sdp()));
            CallRecord row = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(row.endReason()).isEqualTo("agent_failed");
            assertThat(row.endDetail()).contains(code).doesNotContain(KEY);
            List<String> actions = t.graph.requests(r -> callId.equals(r.callId())).stream()
                    .map(FakeGraphApi.Request::action).toList();
            if (permanent) {
                assertThat(actions).as("rejected while ringing").contains("reject").doesNotContain("accept");
            } else {
                // Unreachable is not refused: the caller is answered with the apology tone, then hung up.
                await().atMost(T).until(() -> t.graph.requests(r -> callId.equals(r.callId())).stream()
                        .map(FakeGraphApi.Request::action).toList().contains("terminate"));
                assertThat(t.graph.requests(r -> callId.equals(r.callId())).stream()
                        .map(FakeGraphApi.Request::action).toList()).containsSubsequence("accept", "terminate");
            }
            assertThat(eventTypes(t, callId)).contains("agent.failed");
        }
    }

    @Test
    void withTheWebSocketFallbackAnEndpointWithoutWebRtcStillAnswers() throws Exception {
        try (ScriptedRealtimeServer ws = new ScriptedRealtimeServer();
             TestServer t = server(ws.url().toString(), b -> b.agentFallback(AgentTransport.WEBSOCKET));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edge().withDuration(Duration.ofSeconds(20)))) {
            String callId = "wacid.WEBRTC-FALLBACK";
            whatsapp.sendAnswer(t.ring(callId, "1764003300", whatsapp.offer(T)).sdp());
            whatsapp.awaitConnected(T);
            t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(eventTypes(t, callId)).containsSubsequence("agent.failed", "agent.fallback", "agent.connected");
            assertThat(t.server.repository().events(callId).stream().filter(e -> e.type().equals("agent.failed"))
                    .findFirst().orElseThrow().detail()).contains("http_404");
            t.postSigned(TestServer.terminateWebhook(callId, "COMPLETED", 3L));
            assertThat(t.awaitCall(callId, c -> c.state().equals("ENDED")).endReason()).isEqualTo("caller_hangup");
        }
    }
}
