package dev.wavoice.server.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Fuzzed WAV files (the voice files of {@code wavoice simulate} and the demo) through the reader. Invariants: a
 * file is read or refused with an {@link IOException} naming it, never another exception or a hang; what is read
 * never holds more samples than the file's bytes can carry, once resampled to 48 kHz.
 */
class WavFileFuzzTest {
    static final Path FILE = Path.of("voice.wav");

    @FuzzTest
    void wavFilesAreReadOrRefused(byte[] file) {
        short[] pcm;
        try {
            pcm = WavFile.decode48k(file, FILE);
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith(FILE.toString());
            return;
        }
        // 16-bit samples at 8 kHz at the least: at most 6 output samples per input sample, plus filter tail.
        assertThat(pcm.length).isLessThanOrEqualTo(6 * (file.length / 2) + 64);
        if (pcm.length > 0) {
            assertThat(file.length).isGreaterThanOrEqualTo(12 + 8 + 2);
        }
    }

    /** A mono 16-bit file of {@code samples} at {@code rate}, for the seed corpus. */
    static byte[] wav(int rate, short... samples) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * samples.length).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * samples.length);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }
}
