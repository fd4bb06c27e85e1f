package dev.wavoice.bench;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.rtp.AudioLevel;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The agent bridge's own latency on a real call leg (our transport as the caller, loopback, one JVM so both ends
 * share a clock): agent audio delta received → its first RTP packet at the caller, and barge-in
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
        try (WebRtcTransport server = open(); WebRtcTransport caller = open();
             Pacer pacer = new Pacer(PacerConfig.defaults()).start()) {
            CompletableFuture<AgentListener> agent = new CompletableFuture<>();
            AgentRoute route = new AgentRoute("bench", (id, l) -> {
                agent.complete(l);
                return CompletableFuture.completedFuture(new Silent());
            }, AgentRoute.ToolRunner.none(), pacer, OpusCodecs.best().codec(), AudioStreamConfig.speech(RATE),
                    new NoLog(), timers, AgentUnavailable.APOLOGY, Duration.ofSeconds(1), Runnable::run);
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
            report("agent delta received -> first RTP packet at the caller", firstPacket);
            report("speech_started received -> last agent RTP packet at the caller", bargeIn);
        } finally {
            timers.shutdownNow();
        }
    }

    private static WebRtcTransport open() throws java.io.IOException {
        return WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-64s n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", what, sorted.length,
                Percentiles.of(sorted, 0.50) / 1e6, Percentiles.of(sorted, 0.99) / 1e6,
                sorted[sorted.length - 1] / 1e6);
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

    private static final class Silent implements AgentSession {
        @Override public void appendAudio(short[] pcm24k, int off, int len) { }
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
