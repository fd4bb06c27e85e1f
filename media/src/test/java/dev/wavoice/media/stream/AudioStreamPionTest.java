package dev.wavoice.media.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Audio both ways with Pion playing WhatsApp's edge: a tone of a frequency picked at random per run is detected
 * by frequency on the far side, in each direction; the same under 10 % loss with reordering; DTMF; barge-in.
 */
@Timeout(120)
class AudioStreamPionTest {
    static final Duration T = Duration.ofSeconds(15);
    static WebRtcTransport transport;
    static Pacer pacer;
    static OpusCodec codec;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        PionPeer.binary();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        pacer = new Pacer(PacerConfig.defaults()).start();
        codec = TestAudio.CODEC;
    }

    @AfterAll
    static void close() throws Exception {
        pacer.close();
        transport.close();
    }

    record Call(PionPeer edge, WebRtcEndpoint endpoint, AudioStream stream, PcmRecorder heard) implements AutoCloseable {
        @Override
        public void close() {
            stream.close();
            endpoint.close();
            edge.close();
        }
    }

    static Call call(PionPeer.Options options, java.util.function.UnaryOperator<MediaListener> path) throws Exception {
        return call(options, path, codec);
    }

    static Call call(PionPeer.Options options, java.util.function.UnaryOperator<MediaListener> path, OpusCodec codec)
            throws Exception {
        PionPeer edge = PionPeer.start(options);
        PcmRecorder heard = new PcmRecorder(24000 * 30);
        AudioStream stream = new AudioStream(AudioStreamConfig.speech(24000), codec, pacer, heard);
        WebRtcEndpoint endpoint = transport.answer("audio-" + System.nanoTime(), edge.offer(T), path.apply(stream));
        stream.start(endpoint);
        edge.sendAnswer(endpoint.localDescription());
        endpoint.connected().get(10, TimeUnit.SECONDS);
        edge.awaitConnected(T);
        return new Call(edge, endpoint, stream, heard);
    }

    @Test
    void aToneFromTheEdgeIsHeardAt24kHz() throws Exception {
        double hz = TestAudio.randomTone(300, 900);
        try (Call c = call(PionPeer.Options.edge().withSendOpusFile(TestAudio.toneFileWithFec(dir, hz, 150)),
                s -> s)) {
            await().atMost(T).until(() -> c.heard().length() >= 24000 * 2);
            short[] s = c.heard().samples();
            double measured = Tones.dominantFrequency(s, s.length / 4, 24000, 24000);
            assertThat(measured).as("tone sent at %.0f Hz", hz).isCloseTo(hz, org.assertj.core.data.Percentage.withPercentage(2));
            assertThat(c.stream().stats().decodeErrors()).isZero();
            assertThat(c.heard().opusPackets.get()).as("raw Opus packets offered before the jitter buffer")
                    .isGreaterThanOrEqualTo(100);
        }
    }

    @Test
    void aToneWeSendIsRecordedByTheEdgeAndDecodesToItsFrequency() throws Exception {
        double hz = TestAudio.randomTone(300, 900);
        Path rec = dir.resolve("edge.rec");
        try (Call c = call(PionPeer.Options.edge().withRecord(rec), s -> s)) {
            SineGenerator sine = new SineGenerator(hz, 24000, 0.4);
            short[] chunk = new short[480];
            for (int i = 0; i < 100; i++) { // 2 s
                sine.fill(chunk, 0, 480);
                c.stream().send(chunk, 0, 480);
            }
            await().atMost(T).until(() -> c.stream().stats().framesEncoded() >= 90);
            c.edge().awaitPacketsReceived(80, T);
            c.edge().requestClose();
            c.edge().awaitExit(T);
            // What the edge recorded, decoded here: an independent check of our encoder.
            double measured = TestAudio.middleHalfHz(TestAudio.decode(c.edge().recording()));
            assertThat(measured).as("tone sent at %.0f Hz", hz).isCloseTo(hz, org.assertj.core.data.Percentage.withPercentage(2));
        }
    }

    /**
     * Concentus encodes at 24 kHz but decodes at 48 kHz and resamples (it cannot decode hybrid packets at 24 kHz):
     * both directions keep a tone's frequency, and the edge's packets (libopus, hybrid at 32 kbit/s) are heard.
     */
    @Test
    void withConcentusATonePassesBothWaysAt24kHz() throws Exception {
        double heardHz = TestAudio.randomTone(300, 900);
        double sentHz = TestAudio.randomTone(300, 900);
        Path rec = dir.resolve("concentus.rec");
        try (Call c = call(PionPeer.Options.edge().withSendOpusFile(TestAudio.toneFileWithFec(dir, heardHz, 150))
                .withRecord(rec), s -> s, new dev.wavoice.media.audio.ConcentusOpusCodec())) {
            SineGenerator sine = new SineGenerator(sentHz, 24000, 0.4);
            short[] chunk = new short[480];
            for (int i = 0; i < 100; i++) {
                sine.fill(chunk, 0, 480);
                c.stream().send(chunk, 0, 480);
            }
            await().atMost(T).until(() -> c.heard().length() >= 24000 * 2 && c.stream().stats().framesEncoded() >= 90);
            short[] s = c.heard().samples();
            assertThat(Tones.dominantFrequency(s, s.length / 4, 24000, 24000)).as("tone heard, sent at %.0f Hz", heardHz)
                    .isCloseTo(heardHz, org.assertj.core.data.Percentage.withPercentage(2));
            assertThat(Tones.rmsDbfs(s, s.length / 4, 24000)).as("level heard").isGreaterThan(-20);
            c.edge().awaitPacketsReceived(80, T);
            c.edge().requestClose();
            c.edge().awaitExit(T);
            assertThat(TestAudio.middleHalfHz(TestAudio.decode(c.edge().recording()))).as("tone sent at %.0f Hz", sentHz)
                    .isCloseTo(sentHz, org.assertj.core.data.Percentage.withPercentage(2));
        }
    }

    @Test
    void opusFramesPassThroughWithoutTranscoding() throws Exception {
        double hz = TestAudio.randomTone(300, 900);
        Path rec = dir.resolve("passthrough.rec");
        try (Call c = call(PionPeer.Options.edge().withRecord(rec), s -> s)) {
            for (byte[] frame : TestAudio.toneFramesWithFec(hz, 100)) {
                assertThat(c.stream().sendOpus(frame, 0, frame.length)).isTrue();
            }
            c.edge().awaitPacketsReceived(80, T);
            c.edge().requestClose();
            c.edge().awaitExit(T);
            assertThat(TestAudio.middleHalfHz(TestAudio.decode(c.edge().recording())))
                    .isCloseTo(hz, org.assertj.core.data.Percentage.withPercentage(2));
        }
    }

    @Test
    void lossAndReorderingAreConcealedWithoutGaps() throws Exception {
        double hz = TestAudio.randomTone(300, 900);
        Random random = new Random(11);
        try (Call c = call(PionPeer.Options.edge().withSendOpusFile(TestAudio.toneFileWithFec(dir, hz, 200)),
                s -> new LossyPath(s, 0.10, 0.05, random))) {
            await().atMost(T).until(() -> c.heard().length() >= 24000 * 3);
            short[] s = c.heard().samples();
            double measured = Tones.dominantFrequency(s, s.length / 4, 24000, 24000);
            assertThat(measured).isCloseTo(hz, org.assertj.core.data.Percentage.withPercentage(2));
            var jitter = c.stream().stats().jitter();
            assertThat(jitter.concealed() + jitter.fecRecovered()).as("frames recovered or concealed").isGreaterThan(5);
            assertThat(PcmRecorder.longestGap(Arrays.copyOf(s, 24000 * 3), 200)).as("longest gap (samples at 24 kHz)")
                    .isLessThan(24 * 60);
        }
    }

    @Test
    void dtmfDigitsArriveInOrderOnce() throws Exception {
        try (Call c = call(PionPeer.Options.edge().withDtmf("1234#"), s -> s)) {
            await().atMost(T).until(() -> c.heard().digits.size() >= 5);
            Thread.sleep(300);
            assertThat(c.heard().digits).containsExactly('1', '2', '3', '4', '#');
        }
    }

    @Test
    void clearStopsQueuedAudioWithinOneFrame() throws Exception {
        try (Call c = call(PionPeer.Options.edge(), s -> s)) {
            SineGenerator sine = new SineGenerator(440, 24000, 0.4);
            short[] twoSeconds = new short[48000];
            sine.fill(twoSeconds, 0, twoSeconds.length);
            c.stream().beginUtterance(1);
            c.stream().send(twoSeconds, 0, twoSeconds.length);
            c.stream().endUtterance();
            await().atMost(T).until(() -> c.stream().playedMillis(1) >= 300);
            c.stream().clear();
            long playedAtClear = c.stream().playedMillis(1);
            Thread.sleep(300);
            assertThat(c.stream().stats().framesAfterClear()).as("audio frames sent after clear()").isLessThanOrEqualTo(1);
            assertThat(c.stream().playedMillis(1)).isBetween(playedAtClear, playedAtClear + 20).isLessThan(2000);
        }
    }

    /** Drops and reorders inbound RTP between the transport and the stream, as a bad mobile network would. */
    static final class LossyPath implements MediaListener {
        private final MediaListener next;
        private final double loss;
        private final double reorder;
        private final Random random;
        private byte[] held;

        LossyPath(MediaListener next, double loss, double reorder, Random random) {
            this.next = next;
            this.loss = loss;
            this.reorder = reorder;
            this.random = random;
        }

        @Override
        public void onEvent(EndpointEvent event) {
            next.onEvent(event);
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            if (random.nextDouble() < loss) {
                return;
            }
            if (held == null && random.nextDouble() < reorder) {
                held = Arrays.copyOfRange(buf, off, off + len); // deliver after the next one
                return;
            }
            next.onRtp(buf, off, len);
            if (held != null) {
                byte[] h = held;
                held = null;
                next.onRtp(h, 0, h.length);
            }
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
            next.onRtcp(buf, off, len);
        }
    }
}
