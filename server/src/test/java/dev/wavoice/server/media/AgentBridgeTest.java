package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.RecordedPacket;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.store.UsageRecord;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent bridge on a real call leg (Pion as WhatsApp's edge, recording what it hears) with a scripted agent
 * session: barge-in truncates at what the caller actually heard, {@code end_call} waits for the goodbye, an
 * unreachable agent gets an apology tone, tool calls go round trip, a lost agent ends the call.
 */
@Timeout(120)
class AgentBridgeTest {
    static final Duration T = Duration.ofSeconds(15);
    static final int RATE = 24_000;
    static WebRtcTransport transport;
    static Pacer pacer;
    static ScheduledExecutorService timers;

    @BeforeAll
    static void open() throws Exception {
        PionPeer.binary();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        pacer = new Pacer(PacerConfig.defaults()).start();
        timers = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void close() throws Exception {
        timers.shutdownNow();
        pacer.close();
        transport.close();
    }

    /** An agent session the test drives: it records what the bridge asks of it. */
    static final class ScriptedSession implements AgentSession {
        final AtomicInteger greetings = new AtomicInteger();
        final AtomicInteger samplesIn = new AtomicInteger();
        final List<String> truncates = new CopyOnWriteArrayList<>();
        final List<String> said = new CopyOnWriteArrayList<>();
        final List<String> toolOutputs = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void appendAudio(short[] pcm24k, int off, int len) {
            samplesIn.addAndGet(len);
        }

        @Override
        public void greet() {
            greetings.incrementAndGet();
        }

        @Override
        public void say(String instructions) {
            said.add(instructions);
        }

        @Override
        public void truncate(String itemId, long audioEndMs) {
            truncates.add(itemId + "@" + audioEndMs);
        }

        @Override
        public void sendToolOutput(String callId, String outputJson) {
            toolOutputs.add(callId + "=" + outputJson);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** The call log as rows in memory. */
    static final class MemoryLog implements CallLog {
        final List<CallEventRecord> events = new CopyOnWriteArrayList<>();
        final List<TranscriptRecord> transcripts = new CopyOnWriteArrayList<>();
        final List<UsageRecord> usage = new CopyOnWriteArrayList<>();

        @Override
        public void saveCall(CallRecord call) {
        }

        @Override
        public void event(CallEventRecord event) {
            events.add(event);
        }

        @Override
        public void transcript(TranscriptRecord transcript) {
            transcripts.add(transcript);
        }

        @Override
        public void usage(UsageRecord record) {
            usage.add(record);
        }

        List<String> types() {
            return events.stream().map(CallEventRecord::type).toList();
        }
    }

    record Leg(PionPeer edge, CallMedia.MediaSession media, ScriptedSession agent, AgentListener events,
               MemoryLog log) implements AutoCloseable {
        @Override
        public void close() {
            media.close();
            edge.close();
        }

        /** Pushes events as the agent socket's thread would: one at a time, in order. */
        void agent(AgentEvent... list) {
            for (AgentEvent e : list) {
                events.onEvent(e);
            }
        }
    }

    static AgentRoute route(MemoryLog log, AgentRoute.Connector connector, AgentRoute.ToolRunner tools,
            AgentUnavailable unavailable) {
        return new AgentRoute("test", connector, tools, pacer, TestAudio.CODEC, AudioStreamConfig.speech(RATE), log,
                timers, unavailable, Duration.ofMillis(300), Runnable::run, CallRecorder.off());
    }

    static Leg connect(AgentRoute.ToolRunner tools) throws Exception {
        MemoryLog log = new MemoryLog();
        ScriptedSession agent = new ScriptedSession();
        CompletableFuture<AgentListener> listener = new CompletableFuture<>();
        AgentRoute route = route(log, (callId, l) -> {
            listener.complete(l);
            return CompletableFuture.completedFuture(agent);
        }, tools, AgentUnavailable.AUTO);
        PionPeer edge = PionPeer.start(PionPeer.Options.edge().withRecord(Path.of(
                System.getProperty("java.io.tmpdir"), "bridge-" + System.nanoTime() + ".rec")));
        CallMedia.MediaSession media = new WebRtcCallMedia(transport, route).answer("wacid.bridge-" + System.nanoTime(),
                edge.offer(T));
        edge.sendAnswer(media.answerSdp());
        media.connected().get(10, TimeUnit.SECONDS);
        edge.awaitConnected(T);
        media.callConnected();
        return new Leg(edge, media, agent, listener.get(1, TimeUnit.SECONDS), log);
    }

    static short[] tone(double hz, int millis) {
        short[] pcm = new short[RATE * millis / 1000];
        new SineGenerator(hz, RATE, 0.3).fill(pcm, 0, pcm.length);
        return pcm;
    }

    /** Agent audio arrives as the service sends it: 100 ms deltas, much faster than real time. */
    static void speak(Leg leg, String item, short[] pcm) {
        for (int off = 0; off < pcm.length; off += RATE / 10) {
            int n = Math.min(RATE / 10, pcm.length - off);
            leg.agent(new AgentEvent.AudioDelta(item, java.util.Arrays.copyOfRange(pcm, off, off + n)));
        }
    }

    /** 20 ms frames of the edge's recording that carry audible sound. */
    static int audibleFrames(List<RecordedPacket> recording) {
        short[] pcm = TestAudio.decode(recording);
        int frames = 0;
        for (int off = 0; off + 960 <= pcm.length; off += 960) {
            if (Tones.rmsDbfs(pcm, off, 960) > -45) {
                frames++;
            }
        }
        return frames;
    }

    @Test
    void bargeInClearsAtOnceAndTruncatesAtWhatTheCallerHeard() throws Exception {
        try (Leg leg = connect(AgentRoute.ToolRunner.none())) {
            assertThat(leg.agent().greetings.get()).as("greeted once the call was accepted").isEqualTo(1);
            speak(leg, "item_answer", tone(500, 4000));
            leg.agent(new AgentEvent.Transcript(AgentEvent.Speaker.ASSISTANT, "A long answer.", true, "item_answer"));
            leg.edge().awaitPacketsReceived(40, T);
            leg.agent(new AgentEvent.SpeechStarted("item_caller"));

            assertThat(leg.agent().truncates).hasSize(1);
            String truncate = leg.agent().truncates.get(0);
            assertThat(truncate).startsWith("item_answer@");
            long truncatedAt = Long.parseLong(truncate.substring(truncate.indexOf('@') + 1));
            assertThat(truncatedAt).isBetween(700L, 3900L);

            // Late deltas of the truncated item must not be played either.
            speak(leg, "item_answer", tone(500, 500));
            Thread.sleep(400); // anything still sent after the clear would arrive by now
            leg.edge().requestClose();
            leg.edge().awaitExit(T);
            int heardMs = audibleFrames(leg.edge().recording()) * 20;
            // One frame may be on its way when the clear lands, and the decoder's tail makes one more audible.
            assertThat((double) heardMs).as("ms the caller heard vs truncate.audio_end_ms=%d", truncatedAt)
                    .isCloseTo(truncatedAt, org.assertj.core.data.Offset.offset(20.0 + 20.0));
            assertThat(leg.log().transcripts).singleElement()
                    .satisfies(r -> assertThat(r.interrupted()).as("assistant line marked interrupted").isTrue());
            assertThat(leg.log().types()).contains("agent.barge_in");
        }
    }

    @Test
    void aSteadyToneAfterBargeInsIsSentWhole() throws Exception {
        // Opus DTX took a held tone for background noise once the encoder had heard it before, and stopped sending.
        try (Leg leg = connect(AgentRoute.ToolRunner.none())) {
            for (int round = 0; round < 2; round++) {
                speak(leg, "item_round_" + round, tone(440, 1000));
                Thread.sleep(300);
                leg.agent(new AgentEvent.SpeechStarted("caller_" + round));
            }
            long before = leg.media().stats().packetsSent();
            speak(leg, "item_last", tone(440, 2000));
            await().atMost(T).until(() -> leg.media().stats().packetsSent() - before >= 100);
        }
    }

    @Test
    void endCallHangsUpOnlyAfterTheGoodbyeHasPlayed() throws Exception {
        try (Leg leg = connect(AgentRoute.ToolRunner.none())) {
            speak(leg, "item_bye", tone(600, 1500));
            long t0 = System.nanoTime();
            leg.agent(new AgentEvent.ToolCall("call_1", "end_call", "{\"reason\":\"done\"}"),
                    new AgentEvent.Usage(10, 20, 5, 15));
            CallMedia.MediaEnd end = leg.media().ended().get(10, TimeUnit.SECONDS);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(end.reason()).isEqualTo(EndReason.AGENT_HANGUP);
            assertThat(waitedMs).as("hung up after the 1.5 s goodbye played").isGreaterThanOrEqualTo(1300);
            assertThat(leg.log().usage).singleElement().satisfies(u -> assertThat(u.outputAudioTokens()).isEqualTo(15));
            leg.edge().awaitPacketsReceived(70, T);
        }
    }

    @Test
    void aWrapUpAsksForAGoodbyeAndEndsTheCallOnceItHasPlayed() throws Exception {
        try (Leg leg = connect(AgentRoute.ToolRunner.none())) {
            speak(leg, "item_before", tone(500, 200));
            long t0 = System.nanoTime();
            leg.media().wrapUp();
            assertThat(leg.agent().said).containsExactly(AgentBridge.GOODBYE_INSTRUCTIONS);
            leg.agent(new AgentEvent.Usage(1, 1, 1, 1)); // the answer before the wrap-up: not the goodbye
            speak(leg, "item_goodbye", tone(600, 1000));
            leg.agent(new AgentEvent.Usage(10, 20, 5, 15));
            CallMedia.MediaEnd end = leg.media().ended().get(10, TimeUnit.SECONDS);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(end.reason()).isEqualTo(EndReason.SHUTDOWN);
            assertThat(end.detail()).contains("goodbye");
            assertThat(waitedMs).as("the 1 s goodbye played, well before the grace ran out")
                    .isBetween(900L, AgentBridge.WRAP_UP_GRACE.toMillis() - 1);
            assertThat(leg.log().types()).contains("agent.wrap_up");
        }
    }

    @Test
    void toolCallsGoRoundTripAndFailuresBecomeErrorOutputs() throws Exception {
        AgentRoute.ToolRunner tools = (callId, call) -> call.name().equals("lookup_order")
                ? CompletableFuture.completedFuture("{\"status\":\"shipped\",\"args\":" + call.argumentsJson() + "}")
                : CompletableFuture.failedFuture(new IllegalStateException("boom"));
        try (Leg leg = connect(tools)) {
            leg.agent(new AgentEvent.ToolCall("c1", "lookup_order", "{\"id\":7}"),
                    new AgentEvent.ToolCall("c2", "broken", "{}"));
            await().atMost(T).until(() -> leg.agent().toolOutputs.size() == 2);
            assertThat(leg.agent().toolOutputs).containsExactlyInAnyOrder(
                    "c1={\"status\":\"shipped\",\"args\":{\"id\":7}}", "c2={\"error\":\"tool broken failed: boom\"}");
        }
    }

    @Test
    void aReconnectLetsQueuedAudioFinishAndALostAgentGetsTheApologyToneThenEndsTheCall() throws Exception {
        try (Leg leg = connect(AgentRoute.ToolRunner.none())) {
            speak(leg, "item_last", tone(500, 1000));
            leg.agent(new AgentEvent.Reconnected("rollover", 0));
            leg.edge().awaitPacketsReceived(45, T); // the answer queued before the rollover still plays whole
            assertThat(leg.log().types()).contains("agent.reconnected");
            assertThat(leg.media().ended()).isNotDone();

            speak(leg, "item_cut", tone(500, 3000)); // what the agent had queued when it was lost
            String gaveUp = "gave up after 8 reconnect attempts";
            leg.agent(new AgentEvent.Closed("agent unreachable: " + gaveUp, new AgentFailure(
                    AgentFailure.Kind.TRANSIENT, "close_1006", true, "closed 1006; " + gaveUp, "")));
            CallMedia.MediaEnd end = leg.media().ended().get(5, TimeUnit.SECONDS);
            assertThat(end.reason()).isEqualTo(EndReason.AGENT_FAILED);
            assertThat(end.detail()).contains("close_1006").contains("gave up");
            Thread.sleep(200);
            leg.edge().requestClose();
            leg.edge().awaitExit(T);
            short[] heard = TestAudio.decode(leg.edge().recording());
            assertThat(TestAudio.windowsAt(heard, ApologyTone.LOW_HZ)).as("the apology tone").isGreaterThanOrEqualTo(2);
            assertThat(TestAudio.windowsAt(heard, 500)).as("the queued answer was cut for the tone")
                    .isLessThan(25);
        }
    }

    @Test
    void anUnreachableAgentGetsTheCallerAnApologyToneThenAHangup() throws Exception {
        MemoryLog log = new MemoryLog();
        AgentRoute route = route(log, (callId, l) -> CompletableFuture.failedFuture(
                new java.io.IOException("connection refused")), AgentRoute.ToolRunner.none(), AgentUnavailable.AUTO);
        Path rec = Path.of(System.getProperty("java.io.tmpdir"), "apology-" + System.nanoTime() + ".rec");
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withRecord(rec))) {
            CallMedia.MediaSession media = new WebRtcCallMedia(transport, route).answer("wacid.apology", edge.offer(T));
            edge.sendAnswer(media.answerSdp());
            media.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);
            media.callConnected();
            CallMedia.MediaEnd end = media.ended().get(10, TimeUnit.SECONDS);
            assertThat(end.reason()).isEqualTo(EndReason.AGENT_FAILED);
            assertThat(end.detail()).contains("connection refused");
            Thread.sleep(200);
            media.close();
            edge.requestClose();
            edge.awaitExit(T);
            short[] heard = TestAudio.decode(edge.recording());
            assertThat(TestAudio.windowsAt(heard, ApologyTone.HIGH_HZ)).isGreaterThanOrEqualTo(1);
            assertThat(TestAudio.windowsAt(heard, ApologyTone.LOW_HZ)).isGreaterThanOrEqualTo(2);
            assertThat(log.types()).contains("agent.failed");
        }
    }

    @Test
    void inRejectModeAnUnreachableAgentEndsTheCallWhileItRings() throws Exception {
        MemoryLog log = new MemoryLog();
        AgentRoute route = route(log, (callId, l) -> CompletableFuture.failedFuture(
                new java.io.IOException("401 Unauthorized")), AgentRoute.ToolRunner.none(), AgentUnavailable.REJECT);
        CallMedia.MediaSession media = new WebRtcCallMedia(transport, route).answer("wacid.reject",
                SdpFixtures.whatsAppOffer());
        try {
            CallMedia.MediaEnd end = media.ended().get(5, TimeUnit.SECONDS);
            assertThat(end.reason()).isEqualTo(EndReason.AGENT_FAILED);
            assertThat(end.detail()).contains("401");
        } finally {
            media.close();
        }
    }
}
