package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a caller hears when the agent cannot be reached: two short falling tones (the familiar "something is
 * wrong" cue), quiet enough not to startle, then the call ends. A tone rather than a recorded voice, because it
 * needs no language and no asset.
 */
final class ApologyTone {
    static final double HIGH_HZ = 660, LOW_HZ = 440;

    private ApologyTone() {}

    /** 250 ms high, 100 ms pause, 400 ms low, 250 ms pause: one second at {@code rate} (the call's PCM rate). */
    static short[] pcm(int rate) {
        short[] pcm = new short[rate];
        tone(pcm, rate, 0, ms(rate, 250), HIGH_HZ);
        tone(pcm, rate, ms(rate, 350), ms(rate, 400), LOW_HZ);
        return pcm;
    }

    /**
     * The tone as 20 ms Opus packets, for a call whose audio is relayed rather than encoded: encoded once when the
     * route is built, sent as they are.
     */
    static List<byte[]> opusFrames(OpusCodec codec) {
        short[] pcm = pcm(48_000);
        List<byte[]> frames = new ArrayList<>();
        byte[] out = new byte[1275];
        try (OpusEncoder encoder = codec.newEncoder(OpusCodecs.RECOMMENDED_BITRATE, OpusCodecs.RECOMMENDED_COMPLEXITY)) {
            for (int off = 0; off + 960 <= pcm.length; off += 960) {
                int n = encoder.encode(pcm, off, 960, out, 0, out.length);
                if (n > 0) {
                    frames.add(Arrays.copyOf(out, n));
                }
            }
        }
        return List.copyOf(frames);
    }

    private static void tone(short[] pcm, int rate, int off, int len, double hz) {
        new SineGenerator(hz, rate, 0.25).fill(pcm, off, len);
        int ramp = ms(rate, 5); // no clicks at the edges
        for (int i = 0; i < ramp; i++) {
            pcm[off + i] = (short) (pcm[off + i] * i / ramp);
            pcm[off + len - 1 - i] = (short) (pcm[off + len - 1 - i] * i / ramp);
        }
    }

    private static int ms(int rate, int millis) {
        return rate * millis / 1000;
    }
}
