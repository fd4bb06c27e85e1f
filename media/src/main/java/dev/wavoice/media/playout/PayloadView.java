package dev.wavoice.media.playout;

/**
 * A borrowed view of one buffered RTP payload: the bytes live in a pooled slot of the
 * {@link JitterBuffer}, so the view is valid only until the next {@code put} or {@code poll} on it.
 * Copy out with {@link #copyTo} if the bytes must outlive that.
 */
public final class PayloadView {
    byte[] data; // replaced by a larger array, once, when a packet does not fit
    int length;
    int sequenceNumber;
    long timestamp;
    int samples;

    PayloadView(int capacity) {
        this.data = new byte[capacity];
    }

    /** The backing array; bytes {@code [0, length())} are the payload. */
    public byte[] array() {
        return data;
    }

    public int length() {
        return length;
    }

    /** The 16-bit RTP sequence number. */
    public int sequenceNumber() {
        return sequenceNumber;
    }

    /** The 32-bit RTP timestamp, unsigned. */
    public long timestamp() {
        return timestamp & 0xFFFF_FFFFL;
    }

    /** Samples (at the RTP clock) this frame covers, as the buffer measured it from timestamp deltas. */
    public int samples() {
        return samples;
    }

    public int copyTo(byte[] dst, int offset) {
        System.arraycopy(data, 0, dst, offset, length);
        return length;
    }
}
