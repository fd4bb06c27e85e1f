package dev.wavoice.bench;

/** Nearest-rank percentiles: with 50 samples, p99 is the largest, never an interpolated value that did not occur. */
final class Percentiles {
    private Percentiles() {
    }

    /** {@code sorted} ascending, {@code p} in (0, 1]. */
    static long of(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double of(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
