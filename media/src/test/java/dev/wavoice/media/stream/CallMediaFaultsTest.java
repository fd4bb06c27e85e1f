package dev.wavoice.media.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.media.playout.JitterBufferStats;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Media faults of a whole call: a caller (our own stack, sending Opus frames of a tone) and a server side (an
 * {@link AudioStream} decoding what arrives), with a {@link FaultyWire} between them. SRTP datagrams replayed and
 * reordered on the wire, RTP timestamps that jump and sequence numbers that wrap, and a caller that vanishes
 * without a word: each is counted where it should be, and the tone plays on, or the call ends for the right reason.
 */
@Timeout(90)
class CallMediaFaultsTest {
    static final Duration T = Duration.ofSeconds(15);
    static final int RATE = 24_000;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** One call through the wire; the server's side decodes into {@code heard}. */
    record Call(WebRtcEndpoint caller, WebRtcEndpoint server, AudioStream stream, PcmRecorder heard, FaultyWire wire,
                List<EndpointEvent> serverEvents) {
        void send(int sequence, long timestamp, byte[] opus) {
            int pt = caller.negotiated().opusPayloadType();
            byte[] packet = new byte[12 + opus.length];
            packet[0] = (byte) 0x80;
            packet[1] = (byte) pt;
            packet[2] = (byte) (sequence >> 8);
            packet[3] = (byte) sequence;
            for (int i = 0; i < 4; i++) {
                packet[4 + i] = (byte) (timestamp >> (24 - 8 * i));
                packet[8 + i] = (byte) (caller.localSsrc() >> (24 - 8 * i));
            }
            System.arraycopy(opus, 0, packet, 12, opus.length);
            caller.sendRtp(packet, 0, packet.length);
        }
    }

    private Call call(WebRtcTransportConfig serverConfig) throws Exception {
        WebRtcTransport callerSide = keep(WebRtcTransport.open(
                WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0))));
        WebRtcTransport serverSide = keep(WebRtcTransport.open(serverConfig));
        Pacer pacer = keep(new Pacer(PacerConfig.defaults()).start());
        FaultyWire wire = keep(new FaultyWire(callerSide.localAddress(), serverSide.localAddress()));
        PcmRecorder heard = new PcmRecorder(RATE * 30);
        AudioStream stream = keep(new AudioStream(AudioStreamConfig.speech(RATE), TestAudio.CODEC, pacer, heard));
        List<EndpointEvent> serverEvents = new CopyOnWriteArrayList<>();
        WebRtcEndpoint caller = keep(callerSide.offer("caller", new Ignore()));
        String offer = FaultyWire.rerouted(caller.localDescription(), callerSide.localAddress().getPort(),
                wire.portFacingServer());
        WebRtcEndpoint server = keep(serverSide.answer("server", offer, new MediaListener() {
            @Override
            public void onEvent(EndpointEvent event) {
                serverEvents.add(event);
                stream.onEvent(event);
            }

            @Override
            public void onRtp(byte[] buf, int off, int len) {
                stream.onRtp(buf, off, len);
            }

            @Override
            public void onRtcp(byte[] buf, int off, int len) {
                stream.onRtcp(buf, off, len);
            }
        }));
        stream.start(server);
        caller.applyAnswer(FaultyWire.rerouted(server.localDescription(), serverSide.localAddress().getPort(),
                wire.portFacingCaller()));
        caller.connected().get(10, TimeUnit.SECONDS);
        server.connected().get(10, TimeUnit.SECONDS);
        return new Call(caller, server, stream, heard, wire, serverEvents);
    }

    private <C extends AutoCloseable> C keep(C c) {
        open.add(c);
        return c;
    }

    /**
     * Sends {@code frames} tone frames every 20 ms on a scheduler; {@code header} maps a frame's index to its RTP
     * sequence number and timestamp (as a long pair packed in an array).
     */
    private void play(Call call, int frames, java.util.function.IntFunction<long[]> header) throws Exception {
        List<byte[]> tone = TestAudio.toneFrames(TONE_HZ, 50);
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        try {
            clock.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i < frames) {
                    long[] h = header.apply(i);
                    call.send((int) h[0] & 0xFFFF, h[1] & 0xFFFF_FFFFL, tone.get(i % tone.size()));
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(T).until(() -> next.get() >= frames);
            // the last frames' way through the wire and the jitter buffer
            // RFC 3550 A.1: the first packet of a new source is held on probation and not played
            await().atMost(T).until(() -> call.stream().stats().jitter().received() >= frames - 1);
        } finally {
            clock.shutdownNow();
        }
    }

    static final double TONE_HZ = 700;

    @Test
    void replayedSrtpIsCountedAndDroppedAndReorderedSrtpPlaysInOrder() throws Exception {
        Call c = call(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        AtomicInteger replayed = new AtomicInteger();
        AtomicInteger reordered = new AtomicInteger();
        List<byte[]> seen = new ArrayList<>();
        byte[][] held = new byte[1][];
        c.wire().tamper(d -> {
            List<byte[]> out = new ArrayList<>();
            seen.add(d);
            int n = seen.size();
            if (held[0] == null && n % 25 == 0) {
                held[0] = d; // goes after the next one: reordered by one frame, well inside any replay window
                reordered.incrementAndGet();
                return out;
            }
            out.add(d);
            if (held[0] != null) {
                out.add(held[0]);
                held[0] = null;
            }
            if (n % 10 == 3) {
                out.add(d); // replayed at once
                replayed.incrementAndGet();
            }
            if (n % 50 == 7 && n > 150) {
                out.add(seen.get(n - 150)); // replayed long after: older than the replay window
                replayed.incrementAndGet();
            }
            return out;
        });
        int frames = 261; // the 250th is held back for the 251st: the last frames pass untouched
        play(c, frames, i -> new long[] {1000 + i, 960L * i});

        await().atMost(T).until(() -> c.server().stats().droppedSrtp() >= replayed.get());
        assertThat(replayed.get()).isGreaterThan(25);
        assertThat(reordered.get()).isGreaterThan(5);
        // every replay refused by SRTP, nothing else: the reordered ones were taken
        assertThat(c.server().stats().droppedSrtp()).isEqualTo(replayed.get());
        JitterBufferStats jitter = c.stream().stats().jitter();
        assertThat(jitter.duplicates()).as("no replay reached the jitter buffer").isZero();
        assertThat(jitter.received()).isEqualTo(frames - 1);
        assertThat(jitter.late() + jitter.lost()).as("reordered frames played in their place").isZero();
        short[] pcm = c.heard().samples();
        assertThat(Tones.dominantFrequency(pcm, pcm.length / 4, RATE, RATE)).isCloseTo(TONE_HZ, Percentage.withPercentage(2));
        assertThat(PcmRecorder.longestGap(pcm, 200)).as("longest gap, samples at 24 kHz").isLessThan(RATE / 1000 * 60);
    }

    @Test
    void timestampJumpsBothWaysAndASequenceWrapKeepThePlayoutGoing() throws Exception {
        Call c = call(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        int frames = 300;
        int firstSeq = 65_536 - 200; // wraps at frame 200
        // +10 s at frame 60, -30 s at frame 130 (the sender's clock stepped), the timestamp wraps with the jump back
        play(c, frames, i -> new long[] {firstSeq + i,
                960L * i + (i >= 60 ? 480_000L : 0) - (i >= 130 ? 1_440_000L : 0)});

        JitterBufferStats jitter = c.stream().stats().jitter();
        assertThat(jitter.received()).isEqualTo(frames - 1);
        assertThat(jitter.late() + jitter.duplicates()).isZero();
        assertThat(jitter.timestampSteps()).as("both steps of the sender's clock seen, the wrap not one").isEqualTo(2);
        assertThat(jitter.resyncs()).as("playout never restarted").isLessThanOrEqualTo(1);
        short[] pcm = c.heard().samples();
        assertThat(pcm.length).isGreaterThan(RATE * 4);
        // the tone throughout: no stretch of silence longer than three frames
        assertThat(PcmRecorder.longestGap(pcm, 200)).as("longest gap, samples at 24 kHz").isLessThan(RATE / 1000 * 60);
        assertThat(Tones.dominantFrequency(pcm, pcm.length / 2, RATE, RATE)).isCloseTo(TONE_HZ, Percentage.withPercentage(2));
    }

    @Test
    void aCallerThatVanishesEndsTheCallByConsentFreshnessWithinItsBound() throws Exception {
        Duration interval = Duration.ofMillis(500);
        Duration timeout = Duration.ofSeconds(3);
        WebRtcTransportConfig quick = WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0));
        quick = quick.withIce(quick.ice().withConsent(interval, Duration.ofMillis(1_200), timeout));
        Call c = call(quick);
        play(c, 50, i -> new long[] {i, 960L * i});
        assertThat(c.serverEvents()).singleElement().isInstanceOf(EndpointEvent.Connected.class);

        long cutAt = System.nanoTime();
        c.wire().cut();
        await().atMost(timeout.plusSeconds(5)).until(() -> c.serverEvents().size() > 1);
        long ms = (System.nanoTime() - cutAt) / 1_000_000;

        EndpointEvent end = c.serverEvents().get(1);
        assertThat(end).isInstanceOf(EndpointEvent.Failed.class);
        assertThat(((EndpointEvent.Failed) end).reason()).contains("consent");
        // consent runs out 3 s after the last answered check, which came at most one jittered interval before the cut
        assertThat(ms).isBetween(timeout.toMillis() - interval.toMillis() * 6 / 5 - 50, timeout.toMillis() + 2_000);
        assertThat(c.serverEvents()).hasSize(2);
    }

    private static final class Ignore implements MediaListener {
        @Override
        public void onEvent(EndpointEvent event) { }

        @Override
        public void onRtp(byte[] buf, int off, int len) { }

        @Override
        public void onRtcp(byte[] buf, int off, int len) { }
    }
}
