package dev.wavoice.bench;

import java.util.Arrays;

/** CPU nanoseconds per operation, kept whole so the summary can give percentiles, not just a mean. */
final class CpuSamples {
    private long[] nanos = new long[1024];
    private int count;

    void add(long cpuNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = cpuNanos;
    }

    static CpuSamples sum(CpuSamples a, CpuSamples b) {
        CpuSamples s = new CpuSamples();
        for (int i = 0; i < Math.min(a.count, b.count); i++) {
            s.add(a.nanos[i] + b.nanos[i]);
        }
        return s;
    }

    String summary() {
        if (count == 0) {
            return "no samples";
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format("n=%d mean %.0f µs, p50 %.0f µs, p90 %.0f µs, p99 %.0f µs", count, mean / 1e3,
                Percentiles.of(sorted, 0.50) / 1e3, Percentiles.of(sorted, 0.90) / 1e3,
                Percentiles.of(sorted, 0.99) / 1e3);
    }
}
