package dev.wavoice.server.sim;

/**
 * What the caller can tell from the RTP packets coming back, without trusting the sender: how many, how many
 * missing (gaps in the sequence numbers), and how late each arrived. Lateness is {@code arrival - reference},
 * minus the smallest such offset seen (the on-time path), in a 0.1 ms histogram. The reference is the sender's
 * 20 ms grid read from the RTP timestamps, or, for an echo of the caller's own packets, the moment the caller
 * sent the frame with that timestamp (so the caller's own clock hiccups are not blamed on the server). Updated
 * on the receive thread only.
 */
public final class ArrivalStats {
    /** When the frame with this RTP timestamp was sent, or -1 when unknown. */
    @FunctionalInterface
    public interface SendClock {
        long sentNanos(long timestamp32);
    }

    /** 0.1 ms buckets up to 250 ms; later lands in the last one. */
    public static final int BUCKETS = 2_500;
    private static final long BUCKET_NANOS = 100_000;

    private final long[] lateness = new long[BUCKETS];
    private long received;
    private long firstSequence = -1;
    private long highestSequence;
    private int lastSequence16;
    private long firstTimestamp;
    private long lastTimestamp32;
    private long timestampExtended;
    private long minOffsetNanos = Long.MAX_VALUE;
    private long firstArrivalNanos;
    private long lateOver5ms;
    private long timed;
    private long lastArrivalNanos;
    private long maxGapNanos;
    private long gapsOver60ms;
    /** A gap in the audio the caller hears longer than this is one a listener notices (issue 15's bound). */
    static final long AUDIBLE_GAP_NANOS = 60_000_000L;

    /**
     * One packet with audio (the caller ignores DTX keep-alives of 1-2 bytes).
     *
     * @param countTiming false while the bench deliberately stalls the server (a forced GC for the heap figure)
     */
    public void onPacket(int sequence16, long timestamp32, long arrivalNanos, boolean countTiming, SendClock sent) {
        received++;
        if (firstSequence < 0) {
            firstSequence = sequence16;
            highestSequence = sequence16;
            lastSequence16 = sequence16;
            firstTimestamp = timestamp32;
            lastTimestamp32 = timestamp32;
            timestampExtended = 0;
            firstArrivalNanos = arrivalNanos;
        } else {
            int ds = (short) (sequence16 - lastSequence16); // signed 16-bit step
            if (ds > 0) {
                highestSequence += ds;
                lastSequence16 = sequence16;
            }
            int dt = (int) (timestamp32 - lastTimestamp32); // signed 32-bit step
            // The next packet in order whose timestamp says no silence (DTX) was meant in between: the time since
            // the last one is a hole in the audio (lost packets included), whatever the sender's clock did.
            if (countTiming && ds > 0 && dt > 0 && dt <= ds * 960L) {
                long gap = arrivalNanos - lastArrivalNanos;
                maxGapNanos = Math.max(maxGapNanos, gap);
                if (gap > AUDIBLE_GAP_NANOS) {
                    gapsOver60ms++;
                }
            }
            if (dt > 0) {
                timestampExtended += dt;
                lastTimestamp32 = timestamp32;
            } else {
                countTiming = false; // reordered or repeated: no grid position to judge
            }
        }
        lastArrivalNanos = arrivalNanos;
        if (!countTiming) {
            return;
        }
        long offset;
        if (sent != null) {
            long at = sent.sentNanos(timestamp32);
            if (at < 0) {
                return;
            }
            offset = arrivalNanos - at;
        } else {
            offset = (arrivalNanos - firstArrivalNanos) - timestampExtended * 1_000_000_000L / 48_000;
        }
        if (offset < minOffsetNanos) {
            minOffsetNanos = offset;
        }
        long late = offset - minOffsetNanos;
        lateness[(int) Math.min(BUCKETS - 1, late / BUCKET_NANOS)]++;
        timed++;
        if (late > 5_000_000L) {
            lateOver5ms++;
        }
    }

    public long received() {
        return received;
    }

    /** Packets the sequence numbers say were sent (first to highest seen). */
    public long expected() {
        return firstSequence < 0 ? 0 : highestSequence - firstSequence + 1;
    }

    public long lost() {
        return Math.max(0, expected() - received);
    }

    public long lateOver5ms() {
        return lateOver5ms;
    }

    /**
     * The longest time between two packets back-to-back in the audio (in sequence, no silence meant between them),
     * i.e. the longest hole a listener heard; 0 before two such packets.
     */
    public long maxGapNanos() {
        return maxGapNanos;
    }

    /** Holes in the audio longer than 60 ms. */
    public long gapsOver60ms() {
        return gapsOver60ms;
    }

    public long timed() {
        return timed;
    }

    /** Adds this call's lateness histogram into {@code into} (for percentiles over all calls). */
    public void addLatenessTo(long[] into) {
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += lateness[i];
        }
    }

    /** The {@code q} quantile (0..1) of a lateness histogram, in milliseconds. */
    public static double percentileMillis(long[] histogram, double q) {
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return (i + 1) * BUCKET_NANOS / 1e6;
            }
        }
        return BUCKETS * BUCKET_NANOS / 1e6;
    }
}
