package dev.wavoice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * CPU time per operation from the measuring thread's own CPU clock, kept whole so the summary can give
 * percentiles. JMH reports wall time, which on a shared machine (other builds on the same two cores) also
 * counts the time the thread waited for a core; CPU time does not, so the two together separate "slow code"
 * from "busy machine".
 */
final class CpuSamples {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String what;
    private double[] nanos = new double[1024];
    private int count;

    CpuSamples(String what) {
        this.what = what;
    }

    /** The calling thread's CPU time in nanoseconds; a platform thread is required. */
    static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    static void requireThreadCpuClock() {
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot read a thread's CPU time");
        }
        THREADS.setThreadCpuTimeEnabled(true);
    }

    void add(double cpuNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = cpuNanos;
    }

    int count() {
        return count;
    }

    static CpuSamples sum(String what, CpuSamples a, CpuSamples b) {
        CpuSamples s = new CpuSamples(what);
        for (int i = 0; i < Math.min(a.count, b.count); i++) {
            s.add(a.nanos[i] + b.nanos[i]);
        }
        return s;
    }

    /** One line, in µs when {@code micros}, else ns. */
    String summary(boolean micros) {
        if (count == 0) {
            return what + ": no samples";
        }
        double[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double scale = micros ? 1e3 : 1;
        String unit = micros ? "µs" : "ns";
        double mean = Arrays.stream(sorted).average().orElse(0);
        return String.format("%s: CPU n=%d mean %.1f %s, p50 %.1f, p90 %.1f, p99 %.1f %s", what, count,
                mean / scale, unit, Percentiles.of(sorted, 0.50) / scale, Percentiles.of(sorted, 0.90) / scale,
                Percentiles.of(sorted, 0.99) / scale, unit);
    }

    /** Printed at the end of a trial; JMH passes a forked benchmark's output through to its console. */
    void print(boolean micros) {
        System.out.println();
        System.out.println(summary(micros));
    }
}
