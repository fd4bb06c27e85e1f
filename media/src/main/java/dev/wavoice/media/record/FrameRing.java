package dev.wavoice.media.record;

/**
 * A few Opus packets of one side of a call waiting for the next recording tick: preallocated slots filled by copy
 * on the producer's thread and emptied by copy on the pacer thread, under this ring's own monitor (held for one
 * copy of at most {@value #SLOT_BYTES} bytes, never for I/O). When full, the oldest packet is dropped and counted:
 * a side that runs ahead of the 20 ms clock (a burst after a stall, a fast clock) loses its oldest audio instead of
 * drifting further from the other side.
 */
final class FrameRing {
    /** One Opus frame's maximum (RFC 6716 section 3.2.1); a 20 ms packet of more is not recorded. */
    static final int SLOT_BYTES = 1275;
    /** {@link #poll} found nothing: the side sent no packet for this tick. */
    static final int EMPTY = -1;
    /** {@link #poll} found a packet too long for a slot, kept only so it still counts as this tick's packet. */
    static final int OVERSIZED = -2;

    private final byte[] slots;
    private final int[] lengths;
    private final int capacity;
    private int head;
    private int count;
    private volatile long dropped;

    FrameRing(int capacity) {
        this.capacity = capacity;
        this.slots = new byte[capacity * SLOT_BYTES];
        this.lengths = new int[capacity];
    }

    /** Copies one packet in; drops the oldest if the ring is full. */
    synchronized void offer(byte[] buf, int off, int len) {
        if (count == capacity) {
            head = head + 1 == capacity ? 0 : head + 1;
            count--;
            dropped = dropped + 1;
        }
        int slot = head + count;
        if (slot >= capacity) {
            slot -= capacity;
        }
        if (len < 0 || len > SLOT_BYTES) {
            lengths[slot] = OVERSIZED;
        } else {
            System.arraycopy(buf, off, slots, slot * SLOT_BYTES, len);
            lengths[slot] = len;
        }
        count++;
    }

    /**
     * Moves the oldest packet into {@code dst} (at least {@value #SLOT_BYTES} bytes).
     *
     * @return its length, {@link #EMPTY} or {@link #OVERSIZED}
     */
    synchronized int poll(byte[] dst) {
        if (count == 0) {
            return EMPTY;
        }
        int len = lengths[head];
        if (len > 0) {
            System.arraycopy(slots, head * SLOT_BYTES, dst, 0, len);
        }
        head = head + 1 == capacity ? 0 : head + 1;
        count--;
        return len;
    }

    /** Packets pushed out by newer ones before a tick took them. */
    long dropped() {
        return dropped;
    }
}
