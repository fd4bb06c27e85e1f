package dev.wavoice.server.sim;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusEncoder;
import java.util.Arrays;

/**
 * A voice source encoded once and replayed by every caller: many simulated callers then cost the bench no Opus
 * encoding, which would otherwise compete with the server under test for the same cores. One 20 ms Opus frame
 * per tick, with the encoder's DTX frames (1-2 bytes, not sent) in the pauses, as a live encoder makes them.
 */
public final class EncodedVoice {
    private final byte[][] cycle;
    private final byte[] pause;

    private EncodedVoice(byte[][] cycle, byte[] pause) {
        this.cycle = cycle;
        this.pause = pause;
    }

    /** Encodes {@code cycleFrames} frames of {@code source} (after one cycle to settle the encoder's state). */
    public static EncodedVoice encode(OpusCodec codec, VoiceSource source, int cycleFrames) {
        byte[][] frames = new byte[cycleFrames][];
        short[] pcm = new short[VoiceSource.FRAME];
        byte[] out = new byte[1275];
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5)) {
            encoder.setInbandFec(true, 10);
            encoder.setDtx(true);
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < cycleFrames; i++) {
                    source.next(pcm);
                    int n = encoder.encode(pcm, 0, VoiceSource.FRAME, out, 0, out.length);
                    if (n < 0) {
                        throw new IllegalStateException("Opus encoder failed on frame " + i);
                    }
                    frames[i] = Arrays.copyOf(out, n);
                }
            }
        }
        byte[] pause = null;
        for (byte[] f : frames) {
            if (f.length <= 2) {
                pause = f;
                break;
            }
        }
        return new EncodedVoice(frames, pause == null ? new byte[] {(byte) 0xF8} : pause);
    }

    /** The frame for tick {@code i} of the talk time. */
    byte[] frame(long i) {
        return cycle[(int) (i % cycle.length)];
    }

    int cycleLength() {
        return cycle.length;
    }

    /** Whether {@code payload} is the cycle's first frame (how an echoed packet is matched to its send tick). */
    boolean isCycleStart(byte[] buf, int off, int len) {
        byte[] first = cycle[0];
        return len == first.length && Arrays.equals(buf, off, off + len, first, 0, first.length);
    }

    /** A DTX frame: queued after the talk time so the sender stays idle instead of encoding silence. */
    byte[] pause() {
        return pause;
    }
}
