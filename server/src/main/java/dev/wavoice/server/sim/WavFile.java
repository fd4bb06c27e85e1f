package dev.wavoice.server.sim;

import dev.wavoice.media.audio.Resampler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** 16-bit PCM WAV files: read (any channel count, mixed down; resampled to 48 kHz) and write (mono). */
public final class WavFile {
    private WavFile() {}

    /** Reads a 16-bit PCM WAV as 48 kHz mono. */
    public static short[] read48k(Path file) throws IOException {
        return decode48k(Files.readAllBytes(file), file);
    }

    /** A WAV file's bytes as 48 kHz mono; {@code file} only names it in errors. */
    static short[] decode48k(byte[] bytes, Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 12 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157) { // "RIFF", "WAVE"
            throw new IOException(file + ": not a RIFF/WAVE file");
        }
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int pos = 12;
        while (pos + 8 <= b.limit()) {
            int id = b.getInt(pos);
            // RIFF chunk sizes are unsigned; read as long so a huge one ends the walk instead of wrapping backwards.
            long size = b.getInt(pos + 4) & 0xFFFF_FFFFL;
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                if (size < 16 || body + 16 > b.limit()) {
                    throw new IOException(file + ": fmt chunk too short (" + size + " bytes)");
                }
                int format = b.getShort(body) & 0xFFFF;
                channels = b.getShort(body + 2);
                rate = b.getInt(body + 4);
                bits = b.getShort(body + 14);
                if (format != 1 && format != 0xFFFE) {
                    throw new IOException(file + ": only PCM WAV is supported (format " + format + ")");
                }
            } else if (id == 0x61746164) { // "data"
                if (bits != 16 || channels < 1) {
                    throw new IOException(file + ": need 16-bit PCM (got " + bits + " bits, " + channels + " channels)");
                }
                // A recorder that was cut off leaves a data size larger than the file: read what is there.
                int frames = (int) (Math.min(size, b.limit() - body) / (2L * channels));
                short[] mono = new short[frames];
                for (int i = 0; i < frames; i++) {
                    int sum = 0;
                    for (int c = 0; c < channels; c++) {
                        sum += b.getShort(body + 2 * (i * channels + c));
                    }
                    mono[i] = (short) (sum / channels);
                }
                return to48k(mono, rate, file);
            }
            long next = body + size + (size & 1);
            if (next > b.limit()) {
                break;
            }
            pos = (int) next;
        }
        throw new IOException(file + ": no data chunk");
    }

    private static short[] to48k(short[] pcm, int rate, Path file) throws IOException {
        if (rate == 48_000) {
            return pcm;
        }
        if (rate != 8_000 && rate != 16_000 && rate != 24_000) {
            throw new IOException(file + ": sample rate " + rate + " Hz; use 8, 16, 24 or 48 kHz");
        }
        Resampler up = Resampler.create(rate, 48_000);
        short[] out = new short[up.maxOutput(pcm.length)];
        int n = up.process(pcm, 0, pcm.length, out, 0);
        return java.util.Arrays.copyOf(out, n);
    }

    /** Writes mono 16-bit PCM. */
    public static void write(Path file, short[] pcm, int length, int rate) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * length).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * length);
        for (int i = 0; i < length; i++) {
            b.putShort(pcm[i]);
        }
        Files.write(file, b.array());
    }
}
