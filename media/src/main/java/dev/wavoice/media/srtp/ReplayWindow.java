package dev.wavoice.media.srtp;

/**
 * Sliding replay window over packet indices, RFC 3711 §3.3.2: an index is accepted if it is ahead
 * of the highest seen, or inside the window and not yet seen. {@link #check} never changes state;
 * {@link #accept} is called only after the packet authenticated, so forgeries cannot move the
 * window. A bitmap ring keeps the cost flat for any window size.
 */
final class ReplayWindow {
    /** Outcome of {@link #check}. */
    enum Verdict { FRESH, DUPLICATE, TOO_OLD }

    private final long[] bits;
    private final int size;
    private long highest = -1;

    /** @param size window width in packets; rounded up to a multiple of 64, at least 64 */
    ReplayWindow(int size) {
        int words = Math.max(1, (size + 63) / 64);
        this.bits = new long[words];
        this.size = words * 64;
    }

    int size() { return size; }

    Verdict check(long index) {
        if (highest < 0 || index > highest) {
            return Verdict.FRESH;
        }
        if (highest - index >= size) {
            return Verdict.TOO_OLD;
        }
        return isSet(index) ? Verdict.DUPLICATE : Verdict.FRESH;
    }

    void accept(long index) {
        if (highest < 0 || index - highest >= size) {
            java.util.Arrays.fill(bits, 0L);
            highest = index;
        } else if (index > highest) {
            for (long i = highest + 1; i < index; i++) {
                clear(i);
            }
            highest = index;
        }
        set(index);
    }

    private boolean isSet(long i) {
        int bit = (int) (i % size);
        return (bits[bit >>> 6] & (1L << (bit & 63))) != 0;
    }

    private void set(long i) {
        int bit = (int) (i % size);
        bits[bit >>> 6] |= 1L << (bit & 63);
    }

    private void clear(long i) {
        int bit = (int) (i % size);
        bits[bit >>> 6] &= ~(1L << (bit & 63));
    }
}
