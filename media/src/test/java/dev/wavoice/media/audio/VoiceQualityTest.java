package dev.wavoice.media.audio;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The complexity we default to must sound (by proxy) as good as the maximum: band spectral
 * distortion of a speech-like signal, 100 Hz .. 8 kHz, within half a dB of complexity 10.
 * {@link OpusBench} prints the whole curve with costs.
 *
 * <p>For a 24 kHz agent the codec runs at 24 kHz (no resampler); that path must sound at least as
 * good as the old one (24 kHz → 48 kHz resampler → Opus at 48 kHz → resampler → 24 kHz). The figures
 * per complexity and maximum bandwidth, with encode+decode CPU per frame, are printed for
 * BENCHMARKS.md; the CPU figures are not asserted (the machine is shared).
 */
class VoiceQualityTest {
    private static final int AGENT_RATE = 24_000;
    /** What AudioStreamConfig.speech leaves the encoder at for a 24 kHz agent (the widest band 24 kHz carries). */
    private static final OpusBandwidth CHOSEN_MAX_BANDWIDTH = OpusBandwidth.SUPER_WIDE;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    static List<OpusCodec> codecs() {
        return TestCodecs.both();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void recommendedComplexityIsWithinHalfADecibelOfTheMaximum(OpusCodec codec) {
        short[] speech = SpeechLikeSignal.generate(2.0, 11);
        double recommended = distortion(codec, OpusCodecs.RECOMMENDED_COMPLEXITY, speech);
        double maximum = distortion(codec, 10, speech);
        assertThat(recommended)
                .as("band distortion at complexity %d vs %.2f dB at 10", OpusCodecs.RECOMMENDED_COMPLEXITY, maximum)
                .isLessThan(maximum + 0.5)
                .isLessThan(4.5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void codingAtTheAgentRateIsAsGoodAsResamplingTo48kHz(OpusCodec codec) {
        short[] speech = at24kHz(SpeechLikeSignal.generate(2.0, 11));
        Round viaResampler = null;
        Round direct = null;
        for (int complexity : new int[] {1, 3, 5, 8, 10}) {
            for (OpusBandwidth max : new OpusBandwidth[] {OpusBandwidth.WIDE, OpusBandwidth.SUPER_WIDE}) {
                Round old = viaResampler(codec, complexity, max, speech);
                Round now = direct(codec, complexity, max, speech);
                System.out.printf("%-9s c%-2d max %-10s 48k+resampler: %5.2f dB to 8k, %5.2f dB to 11k, %6.1f us"
                                + " | at 24k: %5.2f dB to 8k, %5.2f dB to 11k, %6.1f us%n",
                        codec.name(), complexity, max, old.to8k(), old.to11k(), old.micros(), now.to8k(), now.to11k(),
                        now.micros());
                if (complexity == OpusCodecs.RECOMMENDED_COMPLEXITY && max == CHOSEN_MAX_BANDWIDTH) {
                    viaResampler = old;
                    direct = now;
                }
            }
        }
        assertThat(direct.to8k())
                .as("band distortion at 24 kHz vs %.2f dB through the resamplers", viaResampler.to8k())
                .isLessThan(viaResampler.to8k() + 0.25)
                .isLessThan(4.5);
    }

    /** Band distortion (dB, 100 Hz..8 kHz and ..11 kHz) and encode+decode CPU microseconds per 20 ms frame. */
    record Round(double to8k, double to11k, double micros) {
    }

    private static Round viaResampler(OpusCodec codec, int complexity, OpusBandwidth max, short[] speech24k) {
        Resampler up = Resampler.create(AGENT_RATE, 48_000);
        Resampler down = Resampler.create(48_000, AGENT_RATE);
        short[] up48 = new short[speech24k.length * 2 + 64];
        short[] decoded48 = new short[up48.length];
        short[] back = new short[speech24k.length];
        long cpu = THREADS.getCurrentThreadCpuTime();
        int n = up.process(speech24k, 0, speech24k.length, up48, 0);
        try (OpusEncoder encoder = codec.newEncoder(48_000, OpusCodecs.RECOMMENDED_BITRATE, complexity);
             OpusDecoder decoder = codec.newDecoder(48_000)) {
            encoder.setMaxBandwidth(max);
            short[] frames = java.util.Arrays.copyOf(up48, n - n % 960);
            short[] decoded = TestCodecs.roundTrip(encoder, decoder, frames, 960);
            System.arraycopy(decoded, 0, decoded48, 0, decoded.length);
            int m = down.process(decoded48, 0, decoded.length, back, 0);
            double micros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / (frames.length / 960.0);
            short[] out = java.util.Arrays.copyOf(back, m);
            return new Round(SpeechLikeSignal.bandDistortion(speech24k, out, 1000, 8_000, AGENT_RATE),
                    SpeechLikeSignal.bandDistortion(speech24k, out, 1000, 11_000, AGENT_RATE), micros);
        }
    }

    private static Round direct(OpusCodec codec, int complexity, OpusBandwidth max, short[] speech24k) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        int decodeRate = codec.decodeRateFor(AGENT_RATE); // what AudioStream does: Concentus decodes at 48 kHz
        try (OpusEncoder encoder = codec.newEncoder(AGENT_RATE, OpusCodecs.RECOMMENDED_BITRATE, complexity);
             OpusDecoder decoder = codec.newDecoder(decodeRate)) {
            encoder.setMaxBandwidth(max);
            short[] out = roundTrip(encoder, decoder, speech24k, decodeRate);
            double micros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e3 / (speech24k.length / (AGENT_RATE / 50.0));
            return new Round(SpeechLikeSignal.bandDistortion(speech24k, out, 1000, 8_000, AGENT_RATE),
                    SpeechLikeSignal.bandDistortion(speech24k, out, 1000, 11_000, AGENT_RATE), micros);
        }
    }

    /** Encodes at 24 kHz and decodes at {@code decodeRate}, resampling to 24 kHz when that is higher. */
    private static short[] roundTrip(OpusEncoder encoder, OpusDecoder decoder, short[] speech24k, int decodeRate) {
        int frame = AGENT_RATE / 50;
        int decodedFrame = decodeRate / 50;
        Resampler down = decodeRate == AGENT_RATE ? null : Resampler.create(decodeRate, AGENT_RATE);
        short[] out = new short[speech24k.length + frame];
        short[] decoded = new short[decodedFrame];
        byte[] packet = new byte[1500];
        int written = 0;
        for (int off = 0; off + frame <= speech24k.length; off += frame) {
            int bytes = encoder.encode(speech24k, off, frame, packet, 0, packet.length);
            int samples = decoder.decode(packet, 0, bytes, decoded, 0, decodedFrame, false);
            assertThat(samples).isEqualTo(decodedFrame);
            if (down == null) {
                System.arraycopy(decoded, 0, out, written, samples);
                written += samples;
            } else {
                written += down.process(decoded, 0, samples, out, written);
            }
        }
        return java.util.Arrays.copyOf(out, speech24k.length);
    }

    /** What a 24 kHz agent would send: the 48 kHz signal through the project's own resampler. */
    private static short[] at24kHz(short[] speech48k) {
        short[] out = new short[speech48k.length / 2 + 64];
        int n = Resampler.create(48_000, AGENT_RATE).process(speech48k, 0, speech48k.length, out, 0);
        return java.util.Arrays.copyOf(out, n - n % (AGENT_RATE / 50));
    }

    private static double distortion(OpusCodec codec, int complexity, short[] speech) {
        try (OpusEncoder encoder = codec.newEncoder(OpusCodecs.RECOMMENDED_BITRATE, complexity);
             OpusDecoder decoder = codec.newDecoder()) {
            short[] decoded = TestCodecs.roundTrip(encoder, decoder, speech);
            return SpeechLikeSignal.bandDistortion(speech, decoded, 2000, 8_000);
        }
    }
}
