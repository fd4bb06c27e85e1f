package dev.wavoice.media.audio;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Quality of {@link Resampler}, measured the way an ear would: the tone keeps its pitch, and
 * what the conversion invents (aliases going down, images going up) is at least 50 dB below it.
 */
class ResamplerTest {
    private static final int FRAME_48K = 960;

    /** Down: a tone in the pass band keeps its frequency; one above the new Nyquist frequency is removed. */
    @ParameterizedTest(name = "48000 -> {0}")
    @ValueSource(ints = {24_000, 16_000, 8_000})
    void downsamplingKeepsTonesAndRejectsAliases(int outRate) {
        double nyquist = outRate / 2.0;
        for (double fraction : new double[] {0.05, 0.4, 0.8}) {
            double frequency = nyquist * fraction;
            short[] out = resampleTone(48_000, outRate, frequency);
            int skip = outRate / 50; // the filter's first 20 ms
            assertThat(Tones.dominantFrequency(out, skip, out.length - skip, outRate))
                    .as("%.0f Hz at %d Hz", frequency, outRate)
                    .isCloseTo(frequency, withinPercentage(1));
            assertThat(Tones.rmsDbfs(out, skip, out.length - skip)).as("level").isCloseTo(-9.0, org.assertj.core.data.Offset.offset(0.5));
        }
        // above the new Nyquist frequency: what would fold back to outRate - f must be gone
        for (double fraction : new double[] {1.05, 1.3, 1.8}) {
            double frequency = nyquist * fraction;
            short[] out = resampleTone(48_000, outRate, frequency);
            int skip = outRate / 50;
            double alias = outRate - frequency;
            double aliasLevel = Tones.levelAtDbfs(out, skip, out.length - skip, alias, outRate);
            assertThat(aliasLevel).as("alias of %.0f Hz at %.0f Hz (input at -9 dBFS)", frequency, alias)
                    .isLessThan(-9.0 - 50);
        }
    }

    /** Up: the tone keeps its frequency and its image (48000/L*k ± f) stays 50 dB down. */
    @ParameterizedTest(name = "{0} -> 48000")
    @ValueSource(ints = {24_000, 16_000, 8_000})
    void upsamplingKeepsTonesAndRejectsImages(int inRate) {
        double nyquist = inRate / 2.0;
        for (double fraction : new double[] {0.05, 0.4, 0.8}) {
            double frequency = nyquist * fraction;
            short[] out = resampleTone(inRate, 48_000, frequency);
            int skip = FRAME_48K;
            assertThat(Tones.dominantFrequency(out, skip, out.length - skip, 48_000))
                    .as("%.0f Hz from %d Hz", frequency, inRate)
                    .isCloseTo(frequency, withinPercentage(1));
            double toneLevel = Tones.levelAtDbfs(out, skip, out.length - skip, frequency, 48_000);
            assertThat(toneLevel).isCloseTo(-9.0, org.assertj.core.data.Offset.offset(0.5));
            for (int k = 1; k * inRate - frequency < 24_000; k++) {
                double image = k * inRate - frequency;
                assertThat(Tones.levelAtDbfs(out, skip, out.length - skip, image, 48_000))
                        .as("image of %.0f Hz at %.0f Hz", frequency, image)
                        .isLessThan(toneLevel - 50);
                if (k * inRate + frequency < 24_000) {
                    assertThat(Tones.levelAtDbfs(out, skip, out.length - skip, k * inRate + frequency, 48_000))
                            .isLessThan(toneLevel - 50);
                }
            }
        }
    }

    /** Streaming: a tone cut into frames of odd sizes comes out identical to one long call. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"48000,24000", "48000,16000", "48000,8000", "24000,48000", "16000,48000", "8000,48000"})
    void frameBoundariesLeaveNoTrace(int inRate, int outRate) {
        short[] in = new short[inRate / 2];
        new SineGenerator(997, inRate, 0.5).fill(in, 0, in.length);
        Resampler whole = Resampler.create(inRate, outRate);
        short[] expected = new short[whole.maxOutput(in.length)];
        int expectedLength = whole.process(in, 0, in.length, expected, 0);

        Resampler framed = Resampler.create(inRate, outRate);
        short[] actual = new short[expected.length + 16];
        int written = 0;
        int[] sizes = {inRate / 50, 7, 1, inRate / 100, 13, inRate / 50 * 3};
        int consumed = 0;
        for (int i = 0; consumed < in.length; i++) {
            int n = Math.min(sizes[i % sizes.length], in.length - consumed);
            written += framed.process(in, consumed, n, actual, written);
            consumed += n;
        }
        assertThat(written).isEqualTo(expectedLength);
        assertThat(java.util.Arrays.copyOf(actual, written)).isEqualTo(java.util.Arrays.copyOf(expected, expectedLength));
    }

    @Test
    void twentyMillisecondFramesMapExactly() {
        assertThat(Resampler.create(48_000, 24_000).process(new short[960], 0, 960, new short[480], 0)).isEqualTo(480);
        assertThat(Resampler.create(48_000, 8_000).process(new short[960], 0, 960, new short[160], 0)).isEqualTo(160);
        assertThat(Resampler.create(16_000, 48_000).process(new short[320], 0, 320, new short[960], 0)).isEqualTo(960);
        assertThat(Resampler.create(48_000, 48_000).process(new short[960], 0, 960, new short[960], 0)).isEqualTo(960);
    }

    @Test
    void unsupportedRatesAreAConfigError() {
        assertThatThrownBy(() -> Resampler.create(44_100, 48_000)).hasMessageContaining("44100");
        assertThatThrownBy(() -> Resampler.create(24_000, 16_000)).hasMessageContaining("one side must be 48000");
    }

    @Test
    void aFullScaleToneDoesNotWrapAround() {
        short[] out = resampleToneAt(24_000, 48_000, 1000, 1.0);
        for (short s : out) {
            assertThat(Math.abs((int) s)).isLessThanOrEqualTo(32_767);
        }
        assertThat(Tones.rmsDbfs(out, 960, out.length - 960)).isCloseTo(-3.0, org.assertj.core.data.Offset.offset(0.5));
    }

    /** 0.5 s of a -9 dBFS RMS tone (amplitude 0.5) resampled in 20 ms frames. */
    private static short[] resampleTone(int inRate, int outRate, double frequency) {
        return resampleToneAt(inRate, outRate, frequency, 0.5);
    }

    private static short[] resampleToneAt(int inRate, int outRate, double frequency, double amplitude) {
        Resampler resampler = Resampler.create(inRate, outRate);
        int frame = inRate / 50;
        SineGenerator sine = new SineGenerator(frequency, inRate, amplitude);
        short[] in = new short[frame];
        short[] out = new short[outRate / 2];
        int written = 0;
        for (int f = 0; f < 25; f++) {
            sine.fill(in, 0, frame);
            written += resampler.process(in, 0, frame, out, written);
        }
        assertThat(written).isEqualTo(out.length);
        return out;
    }
}
