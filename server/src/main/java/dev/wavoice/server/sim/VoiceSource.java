package dev.wavoice.server.sim;

import dev.wavoice.media.audio.SineGenerator;
import java.util.Arrays;

/**
 * What a simulated caller says, as 20 ms frames at 48 kHz. Voice-like means talk spurts and pauses: the pauses
 * let an agent's turn detection fire (the local agent answers after the caller stops) and exercise the
 * sender's DTX, as a real caller would.
 */
public sealed interface VoiceSource {
    int RATE = 48_000;
    int FRAME = 960;

    /** Writes the next frame into {@code frame} (length {@link #FRAME}); false when this frame is a pause. */
    boolean next(short[] frame);

    /** The tone's frequency, when the source is a tone (what to listen for on the way back); else 0. */
    double frequency();

    /**
     * A tone in bursts: {@code talkMillis} of tone, {@code pauseMillis} of silence, repeated.
     *
     * @param amplitude peak as a fraction of full scale
     */
    static VoiceSource toneBursts(double hz, int talkMillis, int pauseMillis, double amplitude) {
        return new ToneBursts(new SineGenerator(hz, RATE, amplitude), hz, talkMillis / 20, pauseMillis / 20);
    }

    /** A recording (48 kHz mono), played once, then silence. */
    static VoiceSource samples(short[] pcm48k) {
        return new Samples(pcm48k);
    }

    /** Tone bursts. */
    final class ToneBursts implements VoiceSource {
        private final SineGenerator tone;
        private final double hz;
        private final int talkFrames;
        private final int cycle;
        private long frame;

        ToneBursts(SineGenerator tone, double hz, int talkFrames, int pauseFrames) {
            this.tone = tone;
            this.hz = hz;
            this.talkFrames = Math.max(1, talkFrames);
            this.cycle = this.talkFrames + Math.max(0, pauseFrames);
        }

        @Override
        public boolean next(short[] out) {
            boolean talking = frame++ % cycle < talkFrames;
            if (talking) {
                tone.fill(out, 0, FRAME);
            } else {
                Arrays.fill(out, 0, FRAME, (short) 0);
            }
            return talking;
        }

        @Override
        public double frequency() {
            return hz;
        }
    }

    /** A recording played once. */
    final class Samples implements VoiceSource {
        private final short[] pcm;
        private int position;

        Samples(short[] pcm) {
            this.pcm = pcm;
        }

        @Override
        public boolean next(short[] out) {
            int n = Math.max(0, Math.min(FRAME, pcm.length - position));
            System.arraycopy(pcm, position, out, 0, n);
            Arrays.fill(out, n, FRAME, (short) 0);
            position += n;
            return n > 0;
        }

        @Override
        public double frequency() {
            return 0;
        }
    }
}
