package dev.wavoice.media.playout;

/**
 * One outbound frame as the pacer side sees it: owned by the {@link OutboundQueue} consumer and
 * overwritten by its next {@code poll}, so it is never allocated per frame.
 */
public final class PcmFrame {
    final short[] samples;
    int length;
    long utteranceId;

    PcmFrame(int frameSamples) {
        this.samples = new short[frameSamples];
    }

    /** Always a full frame; samples past {@link #length()} are zero padding at an utterance end. */
    public short[] samples() {
        return samples;
    }

    /** Real (non-padding) samples in this frame. */
    public int length() {
        return length;
    }

    public long utteranceId() {
        return utteranceId;
    }
}
