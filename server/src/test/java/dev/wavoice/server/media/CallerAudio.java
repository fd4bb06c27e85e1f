package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.RecordedPacket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** What a test caller says (Opus files for the Pion edge to send) and how what it heard is analysed. */
final class CallerAudio {
    static final OpusCodec CODEC = OpusCodecs.best().codec();
    static final int RATE = 48_000, FRAME = 960;

    private CallerAudio() {}

    /** Silence, then a tone, then silence: a caller saying one thing and waiting for the answer. */
    static Path toneBetweenSilences(Path dir, double hz, int leadFrames, int toneFrames, int tailFrames) {
        return alternating(dir, hz, leadFrames, toneFrames, tailFrames);
    }

    /** Silence and the tone by turns, {@code frames} 20 ms frames each (silence first): a caller talking several times. */
    static Path alternating(Path dir, double hz, int... frames) {
        List<byte[]> packets = new ArrayList<>();
        try (OpusEncoder enc = CODEC.newEncoder(32_000, 5)) {
            SineGenerator sine = new SineGenerator(hz, RATE, 0.4);
            short[] pcm = new short[FRAME];
            byte[] out = new byte[1275];
            for (int segment = 0; segment < frames.length; segment++) {
                for (int i = 0; i < frames[segment]; i++) {
                    if (segment % 2 == 1) {
                        sine.fill(pcm, 0, FRAME);
                    } else {
                        Arrays.fill(pcm, (short) 0);
                    }
                    int n = enc.encode(pcm, 0, FRAME, out, 0, out.length);
                    packets.add(Arrays.copyOf(out, n));
                }
            }
        }
        Path file = dir.resolve("caller-" + (int) hz + "-" + Arrays.toString(frames).hashCode() + ".opus");
        OpusStreamFile.write(file, packets);
        return file;
    }

    /** The Opus packets the edge recorded, decoded in sequence order to 48 kHz PCM. */
    static short[] decode(List<RecordedPacket> packets) {
        List<RecordedPacket> sorted = new ArrayList<>(packets);
        sorted.sort(Comparator.comparingInt(RecordedPacket::sequence));
        short[] out = new short[sorted.size() * FRAME + FRAME];
        int n = 0;
        try (OpusDecoder dec = CODEC.newDecoder()) {
            for (RecordedPacket p : sorted) {
                if (p.payloadType() == 111) {
                    n += Math.max(0, dec.decode(p.payload(), 0, p.payload().length, out, n, FRAME, false));
                }
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** How many 100 ms windows of {@code pcm} (48 kHz) are dominated by {@code hz} (within 2 %) and audible. */
    static int windowsAt(short[] pcm, double hz) {
        int window = RATE / 10, count = 0;
        for (int off = 0; off + window <= pcm.length; off += window) {
            if (Tones.rmsDbfs(pcm, off, window) > -40
                    && Math.abs(Tones.dominantFrequency(pcm, off, window, RATE) - hz) < hz * 0.02) {
                count++;
            }
        }
        return count;
    }
}
