package dev.wavoice.media.playout;

/**
 * One outbound frame as the pacer side sees it: PCM to encode, or an already encoded payload (Opus
 * passthrough, or encoded ahead by the producer so the shared pacer thread does no codec work). Owned by
 * the {@link OutboundQueue} consumer and overwritten by its next {@code poll}, so never allocated per frame.
 */
public final class OutboundFrame {
    final short[] samples;
    byte[] encoded; // grown by the consumer when a queue slot grew
    int length;
    int encodedLength;
    long utteranceId;

    OutboundFrame(int frameSamples, int maxEncodedBytes) {
        this.samples = new short[frameSamples];
        this.encoded = new byte[maxEncodedBytes];
    }

    /** Whether this frame is an encoded payload ({@link #encoded()}) rather than PCM ({@link #samples()}). */
    public boolean isEncoded() {
        return encodedLength > 0;
    }

    /** PCM frames: always a full frame; samples past {@link #length()} are zero padding at an utterance end. */
    public short[] samples() {
        return samples;
    }

    /** Encoded frames: bytes {@code [0, encodedLength())} are the payload. */
    public byte[] encoded() {
        return encoded;
    }

    public int encodedLength() {
        return encodedLength;
    }

    /** Real (non-padding) samples this frame plays, at the queue's sample rate. */
    public int length() {
        return length;
    }

    public long utteranceId() {
        return utteranceId;
    }
}
