package dev.wavoice.media.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The independent decoder the recording tests check against: {@code opusdec} from opus-tools (Debian package
 * {@code opus-tools}; CI installs it). Missing, the tests fail: a recording nobody decoded proves nothing.
 */
public final class Opusdec {
    private Opusdec() {
    }

    /** Two channels of 16-bit PCM at 48 kHz, de-interleaved. */
    public record Pcm(short[] caller, short[] agent) {
        public int frames() {
            return caller.length;
        }
    }

    /** {@code opusdec --rate 48000 in out.wav}, then the WAV read back. */
    public static Pcm decode(Path opus) throws IOException, InterruptedException {
        Path wav = opus.resolveSibling(opus.getFileName() + ".wav");
        String output = run("opusdec", "--quiet", "--rate", "48000", opus.toString(), wav.toString());
        return readStereoWav(Files.readAllBytes(wav), output);
    }

    /** Runs a tool from opus-tools and returns what it printed; fails the test if it is missing or fails. */
    static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is needed for the recording tests (Debian: apt-get install "
                    + "opus-tools): " + e.getMessage(), e);
        }
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }

    /** A RIFF/WAVE file of 16-bit PCM, two channels, 48 kHz; other chunks are skipped. */
    static Pcm readStereoWav(byte[] file, String decoderOutput) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x4646_4952 || b.getInt(8) != 0x4556_4157) { // "RIFF", "WAVE"
            throw new AssertionError("not a WAV file; decoder said: " + decoderOutput);
        }
        int at = 12;
        int channels = -1;
        int rate = -1;
        int bits = -1;
        while (at + 8 <= file.length) {
            int id = b.getInt(at);
            int size = b.getInt(at + 4);
            if (id == 0x2074_6d66) { // "fmt "
                channels = b.getShort(at + 10);
                rate = b.getInt(at + 12);
                bits = b.getShort(at + 22);
            } else if (id == 0x6174_6164) { // "data"
                if (channels != 2 || rate != 48_000 || bits != 16) {
                    throw new AssertionError("expected 2 x 16 bit at 48 kHz, got " + channels + " x " + bits
                            + " at " + rate);
                }
                int length = Math.min(size, file.length - at - 8) / 4;
                short[] caller = new short[length];
                short[] agent = new short[length];
                for (int i = 0; i < length; i++) {
                    caller[i] = b.getShort(at + 8 + 4 * i);
                    agent[i] = b.getShort(at + 8 + 4 * i + 2);
                }
                return new Pcm(caller, agent);
            }
            at += 8 + size + (size & 1);
        }
        throw new AssertionError("no data chunk; decoder said: " + decoderOutput);
    }
}
