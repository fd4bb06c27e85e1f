package dev.wavoice.media.playout;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Lateness in 10 µs buckets up to 20 ms, then 1 ms buckets up to 1 s (beyond: the max), written by one thread
 * and read by any: each bucket is updated with a plain read and an ordered write, no atomics on the hot
 * path, and readers see a consistent-enough picture for percentiles.
 */
public final class LatenessHistogram {
    private static final long FINE_NANOS = 10_000;
    private static final int FINE = 2_000;
    private static final long COARSE_NANOS = 1_000_000;
    private static final int BUCKETS = FINE + 980;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);
    private final long lateThresholdNanos;
    private volatile long max;
    private volatile long total;
    private volatile long lateCount;

    public LatenessHistogram(long lateThresholdNanos) {
        this.lateThresholdNanos = lateThresholdNanos;
    }

    /** Single writer only. Early values (negative) count as zero. */
    public void record(long latenessNanos) {
        long v = Math.max(0, latenessNanos);
        int bucket = v < FINE * FINE_NANOS ? (int) (v / FINE_NANOS)
                : (int) Math.min(BUCKETS, FINE + (v - FINE * FINE_NANOS) / COARSE_NANOS);
        counts.lazySet(bucket, counts.getPlain(bucket) + 1);
        if (v > max) {
            max = v;
        }
        if (v > lateThresholdNanos) {
            lateCount = lateCount + 1;
        }
        total = total + 1;
    }

    public long count() {
        return total;
    }

    public long lateCount() {
        return lateCount;
    }

    public long maxNanos() {
        return max;
    }

    /** Upper edge of the bucket holding the {@code q} quantile; values past the range report the max. */
    public long percentileNanos(double q) {
        long n = total;
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(upperEdge(i), max);
            }
        }
        return max;
    }

    private static long upperEdge(int bucket) {
        return bucket < FINE ? (bucket + 1) * FINE_NANOS : FINE * FINE_NANOS + (bucket - FINE + 1) * COARSE_NANOS;
    }
}
