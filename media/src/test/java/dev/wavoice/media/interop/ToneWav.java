package dev.wavoice.media.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A sine tone as a 48 kHz mono 16-bit PCM WAV file, the format Chromium's
 * {@code --use-file-for-fake-audio-capture} reads.
 *
 * <p>Chromium loops the file. The sample count is rounded to the nearest whole number of cycles so the
 * loop point has no phase jump (a click there would smear the spectrum the receiving side measures).
 *
 * @param frequencyHz tone frequency, above 0 and below the Nyquist frequency
 * @param duration approximate length; rounded to whole cycles
 * @param amplitude peak amplitude as a fraction of full scale, in (0, 1]
 */
public record ToneWav(double frequencyHz, Duration duration, double amplitude) {

    public static final int SAMPLE_RATE = 48_000;
    private static final int HEADER_BYTES = 44;

    public ToneWav {
        if (!(frequencyHz > 0 && frequencyHz < SAMPLE_RATE / 2.0)) {
            throw new IllegalArgumentException("frequency must be in (0, " + SAMPLE_RATE / 2 + ") Hz: " + frequencyHz);
        }
        if (duration.isNegative() || duration.toMillis() < 10) {
            throw new IllegalArgumentException("duration must be at least 10 ms: " + duration);
        }
        if (!(amplitude > 0 && amplitude <= 1)) {
            throw new IllegalArgumentException("amplitude must be in (0, 1]: " + amplitude);
        }
    }

    /** Number of samples: the requested duration rounded to a whole number of cycles (at least one). */
    public int sampleCount() {
        double cycles = Math.max(1, Math.round(frequencyHz * duration.toNanos() / 1e9));
        return (int) Math.round(cycles * SAMPLE_RATE / frequencyHz);
    }

    /** The whole file: RIFF header followed by little-endian 16-bit samples. */
    public byte[] toBytes() {
        int samples = sampleCount();
        int dataBytes = samples * 2;
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(ascii("RIFF")).putInt(36 + dataBytes).put(ascii("WAVE"));
        buf.put(ascii("fmt ")).putInt(16)
                .putShort((short) 1)              // PCM
                .putShort((short) 1)              // mono
                .putInt(SAMPLE_RATE)
                .putInt(SAMPLE_RATE * 2)          // byte rate
                .putShort((short) 2)              // block align
                .putShort((short) 16);            // bits per sample
        buf.put(ascii("data")).putInt(dataBytes);
        double step = 2 * Math.PI * frequencyHz / SAMPLE_RATE;
        for (int i = 0; i < samples; i++) {
            buf.putShort((short) Math.round(amplitude * Short.MAX_VALUE * Math.sin(step * i)));
        }
        return buf.array();
    }

    /** Writes the file (replacing any) and returns its path. */
    public Path writeTo(Path file) {
        try {
            Files.write(file, toBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tone WAV " + file, e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
