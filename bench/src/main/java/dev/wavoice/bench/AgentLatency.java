package dev.wavoice.bench;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.RtpHeaderWriter;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.media.AgentRoute;
import dev.wavoice.server.recording.CallRecorder;
import dev.wavoice.server.media.WebRtcCallMedia;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import dev.wavoice.server.store.UsageRecord;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent bridge's own latency on a real call leg (our transport as the caller, loopback, one JVM so both ends
 * share a clock), both ways. Caller → agent: a caller packet sent → its audio handed to the agent session (SRTP,
 * jitter buffer, decode, the hand-off off the pacer thread), in a steady stream and as the first packet of a talk
 * spurt. Agent → caller: agent audio delta received → its first RTP packet at the caller, and barge-in
 * ({@code speech_started} received) → the last agent audio packet at the caller. The agent events are injected
 * where the socket thread would deliver them, so the network to the agent is not part of the figure.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.wavoice.bench.AgentLatency [rounds]</pre>
 */
public final class AgentLatency {
    private static final int RATE = 24_000;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        ExecutorService handOff = Executors.newVirtualThreadPerTaskExecutor(); // as the service runs it
        try (WebRtcTransport server = open(); WebRtcTransport caller = open();
             Pacer pacer = new Pacer(PacerConfig.defaults()).start()) {
            CompletableFuture<AgentListener> agent = new CompletableFuture<>();
            Listening session = new Listening();
            AgentRoute route = new AgentRoute("bench", (id, l) -> {
                agent.complete(l);
                return CompletableFuture.completedFuture(session);
            }, AgentRoute.ToolRunner.none(), pacer, OpusCodecs.best().codec(), AudioStreamConfig.speech(RATE),
                    new NoLog(), timers, AgentUnavailable.APOLOGY, Duration.ofSeconds(1), handOff, CallRecorder.off());
            Arrivals arrivals = new Arrivals();
            WebRtcEndpoint phone = caller.offer("caller", arrivals);
            CallMedia.MediaSession call = new WebRtcCallMedia(server, route).answer("bench-call",
                    phone.localDescription());
            phone.applyAnswer(call.answerSdp());
            call.connected().get(10, TimeUnit.SECONDS);
            phone.connected().get(10, TimeUnit.SECONDS);
            arrivals.levelExtension = phone.negotiated().audioLevelExtensionId()
                    .orElseThrow(() -> new IllegalStateException("no audio-level extension negotiated"));
            call.callConnected();
            AgentListener events = agent.get(5, TimeUnit.SECONDS);

            long[][] inbound = new CallerVoice(phone, session).measure(rounds);

            short[] speech = new short[RATE / 10];
            new SineGenerator(440, RATE, 0.3).fill(speech, 0, speech.length);
            long[] firstPacket = new long[rounds];
            long[] bargeIn = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                String item = "item_" + i;
                Thread.sleep(100 + (i * 7) % 20); // start at a different phase of the 20 ms tick each round
                long delta = System.nanoTime();
                arrivals.reset();
                for (int k = 0; k < 10; k++) { // 1 s of speech in 100 ms deltas, as the service sends it
                    events.onEvent(new AgentEvent.AudioDelta(item, speech.clone()));
                }
                firstPacket[i] = arrivals.awaitFirst(1_000) - delta;
                Thread.sleep(300 + (i * 3) % 20);
                long speechStarted = System.nanoTime();
                events.onEvent(new AgentEvent.SpeechStarted("caller_" + i));
                Thread.sleep(150);
                bargeIn[i] = Math.max(0, arrivals.last() - speechStarted);
            }
            call.close();
            phone.close();
            report("caller packet sent -> its audio at the agent (steady stream)", inbound[0]);
            report("caller packet sent -> its audio at the agent (talk-spurt start)", inbound[1]);
            report("agent delta received -> first RTP packet at the caller", firstPacket);
            report("speech_started received -> last agent RTP packet at the caller", bargeIn);
        } finally {
            timers.shutdownNow();
            handOff.shutdownNow();
        }
    }

    /**
     * The caller's side of the inbound measurement: a 20 ms stream of encoded silence with one loud 20 ms frame in
     * it now and then (steady), or a loud frame after 600 ms without packets, longer than the jitter buffer's
     * resync, so it starts a talk spurt. Each loud frame is timed from just before its send to the first loud
     * audio the agent session is handed. The sender never waits for that: a sender that paused until its frame
     * was heard would itself be the jitter the buffer then adapts to.
     */
    private static final class CallerVoice {
        private final WebRtcEndpoint phone;
        private final Listening agent;
        private final OpusEncoder encoder = OpusCodecs.best().codec().newEncoder(32_000, 5);
        private final byte[] silence = new byte[400];
        private final byte[] tone = new byte[400];
        private final int silenceLength;
        private final int toneLength;
        private final byte[] packet = new byte[1500];
        private final int payloadType;
        private int sequence;
        private long timestamp;

        CallerVoice(WebRtcEndpoint phone, Listening agent) {
            this.phone = phone;
            this.agent = agent;
            this.payloadType = phone.negotiated().opusPayloadType();
            encoder.setDtx(false);
            short[] pcm = new short[960];
            for (int i = 0; i < 5; i++) { // settle the encoder on silence first
                encoder.encode(pcm, 0, 960, silence, 0, silence.length);
            }
            this.silenceLength = encoder.encode(pcm, 0, 960, silence, 0, silence.length);
            new SineGenerator(440, 48_000, 0.5).fill(pcm, 0, pcm.length);
            this.toneLength = encoder.encode(pcm, 0, 960, tone, 0, tone.length);
        }

        /** Steady-stream and talk-spurt delays, nanoseconds; -1 where the loud frame was not heard within 1 s. */
        long[][] measure(int rounds) throws InterruptedException {
            long[] delays = new long[2 * rounds];
            agent.expect(delays);
            long next = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                next = silence(next, 30); // 600 ms of silence: the loud frame lands in a settled stream
                next = send(next, tone, toneLength, 2 * i);
                next = silence(next, 20); // the loud frame's decoder tail
                // No packets: the talk spurt ends. The pause is not a whole number of frames, so each spurt (and the
                // steady frame in it) meets the server's 20 ms pacer at another phase; the RTP timestamps follow the
                // wall clock, so the receiver sees a pause, not jitter.
                int pauseMs = 600 + (i * 7) % 20;
                next += pauseMs * 1_000_000L;
                timestamp += pauseMs * 48L;
                next = send(next, tone, toneLength, 2 * i + 1);
            }
            silence(next, 50);
            long[] steady = new long[rounds];
            long[] spurt = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                steady[i] = delays[2 * i];
                spurt[i] = delays[2 * i + 1];
            }
            return new long[][] {steady, spurt};
        }

        private long silence(long next, int frames) throws InterruptedException {
            for (int k = 0; k < frames; k++) {
                next = send(next, silence, silenceLength, -1);
            }
            return next;
        }

        /** Sends one frame at {@code at} (a nanoTime deadline); returns the next frame's deadline. */
        private long send(long at, byte[] payload, int length, int timedAs) throws InterruptedException {
            long wait = at - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int header = RtpHeaderWriter.write(packet, 0, false, payloadType, sequence++ & 0xFFFF, timestamp,
                    phone.localSsrc());
            System.arraycopy(payload, 0, packet, header, length);
            if (timedAs >= 0) {
                agent.arm(timedAs, System.nanoTime());
            }
            phone.sendRtp(packet, 0, header + length);
            timestamp += 960;
            return at + 20_000_000L;
        }
    }

    private static WebRtcTransport open() throws java.io.IOException {
        return WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = Arrays.stream(nanos).filter(n -> n >= 0).sorted().toArray();
        if (sorted.length == 0) {
            System.out.printf("%-64s none measured%n", what);
            return;
        }
        System.out.printf("%-64s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%s%n", what, sorted.length,
                Percentiles.of(sorted, 0.50) / 1e6, Percentiles.of(sorted, 0.99) / 1e6,
                sorted[sorted.length - 1] / 1e6,
                sorted.length < nanos.length ? " (" + (nanos.length - sorted.length) + " not heard)" : "");
    }

    /**
     * Arrival times of the caller's inbound packets that carry agent audio. After a clear the sender goes on with
     * encoded silence until Opus DTX starts; those packets say so in their RFC 6464 audio level (127, silence),
     * which the sender sets from the frame it took from the queue, so the level tells agent audio apart exactly.
     */
    private static final class Arrivals implements MediaListener {
        private final RtpPacket view = new RtpPacket();
        private volatile int levelExtension = -1;
        private volatile long first, last;

        void reset() {
            first = 0;
        }

        long awaitFirst(long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (first == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return first;
        }

        long last() {
            return last;
        }

        @Override
        public void onEvent(EndpointEvent event) {
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            long now = System.nanoTime();
            if (!view.wrap(buf, off, len)) {
                return;
            }
            int level = view.audioLevel(levelExtension);
            if (level >= 0 && level != AudioLevel.SILENCE) {
                if (first == 0) {
                    first = now;
                }
                last = now;
            }
        }
    }

    /** An agent session that only notes when loud caller audio reaches it, against the loud frame's send time. */
    private static final class Listening implements AgentSession {
        private volatile long[] delays = new long[0];
        private volatile int slot = -1;
        private volatile long sentAt;

        void expect(long[] into) {
            java.util.Arrays.fill(into, -1);
            delays = into;
        }

        /** The loud frame timed as {@code index} leaves now; the next loud audio heard is its. */
        void arm(int index, long sentNanos) {
            sentAt = sentNanos;
            slot = index;
        }

        @Override
        public void appendAudio(short[] pcm24k, int off, int len) {
            int index = slot;
            if (index < 0) {
                return;
            }
            for (int i = off; i < off + len; i++) {
                if (Math.abs(pcm24k[i]) > 2_000) {
                    delays[index] = System.nanoTime() - sentAt;
                    slot = -1;
                    return;
                }
            }
        }

        @Override public void greet() { }
        @Override public void say(String instructions) { }
        @Override public void truncate(String itemId, long audioEndMs) { }
        @Override public void sendToolOutput(String callId, String outputJson) { }
        @Override public void close() { }
    }

    private static final class NoLog implements CallLog {
        @Override public void saveCall(CallRecord call) { }
        @Override public void event(CallEventRecord event) { }
        @Override public void transcript(TranscriptRecord transcript) { }
        @Override public void usage(UsageRecord usage) { }
    }
}
