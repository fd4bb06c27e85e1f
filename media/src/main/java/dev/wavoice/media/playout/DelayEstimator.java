package dev.wavoice.media.playout;

/**
 * How much later than the earliest recent packet a packet may arrive: the spread the buffer must absorb.
 *
 * <p>Like NetEq's relative-delay manager: each packet's transit time (arrival minus media time) is compared
 * with the smallest transit over the last two blocks of packets, so a constant network delay costs nothing
 * and a drifting sender clock only moves the reference, never the estimate. The estimate follows a rise at
 * once (one late packet is one concealment already heard) and decays with a time constant of
 * {@value #DECAY_SHIFT_PACKETS} packets, so depth shrinks back only after a calm stretch.
 */
final class DelayEstimator {
    static final int DECAY_SHIFT_PACKETS = 512;
    private static final int BLOCK = 64;

    private final double nanosPerTick;
    private boolean hasBase;
    private long baseTimestamp;
    private long currentMin = Long.MAX_VALUE;
    private long previousMin = Long.MAX_VALUE;
    private int inBlock;
    private long spreadNanos;

    DelayEstimator(int clockRate) {
        this.nanosPerTick = 1e9 / clockRate;
    }

    /** Records one arrival; {@code timestamp} is the unwrapped RTP timestamp. */
    void onPacket(long timestamp, long arrivalNanos) {
        if (!hasBase) {
            hasBase = true;
            baseTimestamp = timestamp;
        }
        long transit = arrivalNanos - (long) ((timestamp - baseTimestamp) * nanosPerTick);
        if (transit < currentMin) {
            currentMin = transit;
        }
        if (++inBlock == BLOCK) {
            previousMin = currentMin;
            currentMin = Long.MAX_VALUE;
            inBlock = 0;
        }
        long relative = transit - Math.min(previousMin, currentMin);
        if (relative > spreadNanos) {
            spreadNanos = relative;
        } else {
            spreadNanos -= (spreadNanos - relative) / DECAY_SHIFT_PACKETS;
        }
    }

    /** Forgets the transit reference (sender restarted, timestamps jumped); keeps the learned spread. */
    void rebase() {
        hasBase = false;
        currentMin = Long.MAX_VALUE;
        previousMin = Long.MAX_VALUE;
        inBlock = 0;
    }

    long spreadNanos() {
        return spreadNanos;
    }
}
