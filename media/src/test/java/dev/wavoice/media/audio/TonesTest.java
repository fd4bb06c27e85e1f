package dev.wavoice.media.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

class TonesTest {
    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(ints = {8_000, 16_000, 24_000, 48_000})
    void dominantFrequencyIsWithinHalfAPercentOnCleanTones(int rate) {
        Random random = new Random(rate);
        for (int i = 0; i < 20; i++) {
            double frequency = 100 + random.nextDouble() * (rate * 0.45 - 100);
            short[] pcm = new short[rate / 5]; // 200 ms
            new SineGenerator(frequency, rate, 0.3).fill(pcm, 0, pcm.length);
            assertThat(Tones.dominantFrequency(pcm, 0, pcm.length, rate))
                    .as("%.2f Hz at %d Hz", frequency, rate)
                    .isCloseTo(frequency, withinPercentage(0.5));
        }
    }

    @Test
    void dominantFrequencyFindsTheLouderOfTwoTones() {
        short[] pcm = new short[48_000 / 4];
        new SineGenerator(440, 48_000, 0.5).fill(pcm, 0, pcm.length);
        new SineGenerator(1320, 48_000, 0.1).add(pcm, 0, pcm.length);
        assertThat(Tones.dominantFrequency(pcm, 0, pcm.length, 48_000)).isCloseTo(440, withinPercentage(0.5));
        assertThat(Tones.dominantFrequency(pcm, 0, pcm.length, 48_000, 1000, 2000)).isCloseTo(1320, withinPercentage(0.5));
    }

    @Test
    void levelsReadInDbfs() {
        short[] pcm = new short[4800];
        new SineGenerator(1000, 48_000, 1.0).fill(pcm, 0, pcm.length);
        assertThat(Tones.rmsDbfs(pcm, 0, pcm.length)).isCloseTo(-3.01, offset(0.05));
        assertThat(Tones.levelAtDbfs(pcm, 0, pcm.length, 1000, 48_000)).isCloseTo(-3.01, offset(0.1));
        assertThat(Tones.levelAtDbfs(pcm, 0, pcm.length, 3000, 48_000)).isLessThan(-80);
        assertThat(Tones.rmsDbfs(new short[960], 0, 960)).isEqualTo(Tones.SILENCE_DBFS);
    }

    @Test
    void consecutiveFramesContinueThePhase() {
        SineGenerator sine = new SineGenerator(440, 48_000, 0.5);
        short[] framed = new short[960 * 3];
        for (int f = 0; f < 3; f++) {
            sine.fill(framed, f * 960, 960);
        }
        short[] whole = new short[960 * 3];
        new SineGenerator(440, 48_000, 0.5).fill(whole, 0, whole.length);
        for (int i = 0; i < whole.length; i++) {
            assertThat(Math.abs(framed[i] - whole[i])).isLessThanOrEqualTo(1);
        }
    }
}
