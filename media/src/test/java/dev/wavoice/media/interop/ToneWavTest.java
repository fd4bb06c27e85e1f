package dev.wavoice.media.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ToneWavTest {

    @Test
    void writesA48kHzMono16BitPcmHeader() {
        ToneWav tone = new ToneWav(440, Duration.ofMillis(500), 0.5);
        ByteBuffer b = ByteBuffer.wrap(tone.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(ascii(b, 0)).isEqualTo("RIFF");
        assertThat(b.getInt(4)).isEqualTo(b.capacity() - 8);
        assertThat(ascii(b, 8)).isEqualTo("WAVE");
        assertThat(ascii(b, 12)).isEqualTo("fmt ");
        assertThat(b.getShort(20)).isEqualTo((short) 1);   // PCM
        assertThat(b.getShort(22)).isEqualTo((short) 1);   // mono
        assertThat(b.getInt(24)).isEqualTo(48_000);
        assertThat(b.getShort(34)).isEqualTo((short) 16);
        assertThat(ascii(b, 36)).isEqualTo("data");
        assertThat(b.getInt(40)).isEqualTo(tone.sampleCount() * 2).isEqualTo(b.capacity() - 44);
    }

    @Test
    void samplesAreTheToneAtTheAmplitudeAndLoopWithoutAJump() {
        double hz = 523.25;
        ToneWav tone = new ToneWav(hz, Duration.ofSeconds(1), 0.25);
        ByteBuffer b = ByteBuffer.wrap(tone.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        int n = tone.sampleCount();
        int crossings = 0;
        int peak = 0;
        short previous = b.getShort(44);
        for (int i = 1; i < n; i++) {
            short s = b.getShort(44 + 2 * i);
            if (previous < 0 && s >= 0) {
                crossings++;
            }
            peak = Math.max(peak, Math.abs(s));
            previous = s;
        }
        assertThat(crossings / (n / 48_000.0)).isCloseTo(hz, withinPercentage(0.5));
        assertThat(peak).isCloseTo((int) (0.25 * Short.MAX_VALUE), withinPercentage(1));
        // The sample after the last one (the loop's first) continues the sine: no click at the loop point.
        double expectedNext = 0.25 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * n / 48_000);
        assertThat(Math.abs(expectedNext)).isLessThan(0.25 * Short.MAX_VALUE * 2 * Math.PI * hz / 48_000);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ToneWav(0, Duration.ofSeconds(1), 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToneWav(30_000, Duration.ofSeconds(1), 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToneWav(440, Duration.ZERO, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ToneWav(440, Duration.ofSeconds(1), 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String ascii(ByteBuffer b, int at) {
        byte[] four = new byte[4];
        b.get(at, four);
        return new String(four, StandardCharsets.US_ASCII);
    }
}
