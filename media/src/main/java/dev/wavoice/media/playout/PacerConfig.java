package dev.wavoice.media.playout;

import java.time.Duration;

/**
 * Immutable pacer settings.
 *
 * @param threadName      name of the one platform thread
 * @param period          tick period, 20 ms for Opus calls
 * @param spin            how long before a deadline to stop parking and busy-wait; zero parks all the way
 * @param maxCatchUpTicks after a stall this many missed ticks are run back to back (RTP timing stays intact
 *                        and the receiver's jitter buffer absorbs the burst); longer stalls skip ahead
 * @param lateThreshold   a tick starting this long after its deadline is counted as late
 */
public record PacerConfig(String threadName, Duration period, Duration spin, int maxCatchUpTicks,
        Duration lateThreshold) {

    public PacerConfig {
        if (period.isNegative() || period.isZero() || spin.isNegative() || spin.compareTo(period) >= 0) {
            throw new IllegalArgumentException("need period > 0 and 0 <= spin < period");
        }
        if (maxCatchUpTicks < 0) {
            throw new IllegalArgumentException("maxCatchUpTicks must be >= 0");
        }
    }

    /**
     * 20 ms ticks, no spinning: on the shared 2-CPU build machine a 100 µs spin cut median lateness in some
     * PacerBench runs and not in others, never the p99 (set by the scheduler), and cost a third more CPU.
     */
    public static PacerConfig defaults() {
        return new PacerConfig("media-pacer", Duration.ofMillis(20), Duration.ZERO, 5, Duration.ofMillis(5));
    }

    public PacerConfig withSpin(Duration newSpin) {
        return new PacerConfig(threadName, period, newSpin, maxCatchUpTicks, lateThreshold);
    }
}
