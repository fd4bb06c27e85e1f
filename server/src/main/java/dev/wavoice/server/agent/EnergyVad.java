package dev.wavoice.server.agent;

import dev.wavoice.media.audio.Tones;

/**
 * The local agent's turn detection: a 20 ms frame louder than the threshold is voiced; two voiced frames in a
 * row start speech (one click does not), {@code hangoverFrames} quiet frames end it. Honest and simple — it
 * detects sound, not words. Not thread-safe: one per conversation, fed from the socket's thread.
 */
final class EnergyVad {
    static final int FRAME = 480;

    /** What a frame changed. */
    enum Change { NONE, STARTED, STOPPED }

    private final double thresholdDbfs;
    private final int hangoverFrames;
    private boolean speaking;
    private boolean candidate;
    private int quietFrames;

    EnergyVad(double thresholdDbfs, int hangoverFrames) {
        this.thresholdDbfs = thresholdDbfs;
        this.hangoverFrames = hangoverFrames;
    }

    /** Whether the last frame given to {@link #frame} was voiced. */
    private boolean lastVoiced;

    Change frame(short[] pcm, int off) {
        lastVoiced = Tones.rmsDbfs(pcm, off, FRAME) > thresholdDbfs;
        if (!speaking) {
            if (lastVoiced && candidate) {
                speaking = true;
                candidate = false;
                quietFrames = 0;
                return Change.STARTED;
            }
            candidate = lastVoiced;
            return Change.NONE;
        }
        quietFrames = lastVoiced ? 0 : quietFrames + 1;
        if (quietFrames >= hangoverFrames) {
            speaking = false;
            return Change.STOPPED;
        }
        return Change.NONE;
    }

    boolean lastVoiced() {
        return lastVoiced;
    }

    boolean speaking() {
        return speaking;
    }
}
