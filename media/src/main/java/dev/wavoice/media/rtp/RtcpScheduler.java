package dev.wavoice.media.rtp;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When the next RTCP report of a call is due. A fixed mean interval, each one drawn uniformly from
 * [0.5, 1.5] × the mean (RFC 3550 §6.3.1) so that calls started together do not report in step, and the first
 * report at half the interval (§6.2) so RTT and loss are known early.
 *
 * <p>Why not the full §6.3 algorithm (bandwidth share, member counts, reconsideration): it exists to keep RTCP
 * at 5 % of session bandwidth in large multicast groups. A call here is two parties and one audio stream; at one
 * compound of ~100 bytes every ~5 s the RTCP rate is under 0.2 kbit/s against 32+ kbit/s of Opus, and
 * libwebrtc and Pion use fixed intervals as well (5 s audio, 1 s respectively).
 */
public final class RtcpScheduler {
    private final long meanNanos;
    private final RandomGenerator random;
    private long nextNanos;

    public RtcpScheduler(Duration meanInterval, RandomGenerator random, long startNanos) {
        if (meanInterval.isNegative() || meanInterval.isZero()) {
            throw new IllegalArgumentException("RTCP interval must be positive: " + meanInterval);
        }
        this.meanNanos = meanInterval.toNanos();
        this.random = random;
        this.nextNanos = startNanos + randomized(meanNanos / 2);
    }

    /** The 5 s libwebrtc uses for audio. */
    public static RtcpScheduler audio(RandomGenerator random, long startNanos) {
        return new RtcpScheduler(Duration.ofSeconds(5), random, startNanos);
    }

    /** Called every tick: true once per interval, and the next report is then scheduled. */
    public boolean due(long nowNanos) {
        if (nowNanos - nextNanos < 0) {
            return false;
        }
        nextNanos = nowNanos + randomized(meanNanos);
        return true;
    }

    public long nextNanos() {
        return nextNanos;
    }

    private long randomized(long mean) {
        return (long) (mean * (0.5 + random.nextDouble()));
    }
}
