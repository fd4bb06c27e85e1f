package dev.wavoice.media.ice;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * RFC 7675 timing for the selected pair: when the next consent check is due, and whether consent is
 * merely late ({@link IceEvent.Disconnected}) or lost ({@link IceEvent.Failed}).
 */
final class ConsentFreshness {
    enum Verdict { FRESH, LATE, EXPIRED }

    private final long intervalNanos;
    private final long lateNanos;
    private final long expiryNanos;
    private final RandomGenerator random;
    private long lastResponseAt;
    private long nextCheckAt;

    ConsentFreshness(Duration interval, Duration late, Duration expiry, RandomGenerator random) {
        this.intervalNanos = interval.toNanos();
        this.lateNanos = late.toNanos();
        this.expiryNanos = expiry.toNanos();
        this.random = random;
    }

    /** The pair was just selected: its successful check counts as consent. */
    void start(long now) {
        lastResponseAt = now;
        nextCheckAt = now + jittered();
    }

    void granted(long now) {
        lastResponseAt = now;
    }

    Verdict verdict(long now) {
        long silence = now - lastResponseAt;
        return silence >= expiryNanos ? Verdict.EXPIRED : silence >= lateNanos ? Verdict.LATE : Verdict.FRESH;
    }

    long millisSinceResponse(long now) {
        return (now - lastResponseAt) / 1_000_000L;
    }

    /**
     * Whether a consent check should go out now. Each is a fresh transaction without retransmissions: a lost
     * one is covered by the next, well within the 30 s budget.
     */
    boolean checkDue(long now) {
        if (now - nextCheckAt < 0) {
            return false;
        }
        nextCheckAt = now + jittered();
        return true;
    }

    /**
     * When something next happens without a response: the next check, consent turning late (only while it is not
     * yet, {@code lateStillAhead}), or consent expiring. A timer can sleep until then.
     */
    long nextDeadline(boolean lateStillAhead) {
        long due = nextCheckAt;
        long late = lastResponseAt + lateNanos, expiry = lastResponseAt + expiryNanos;
        if (lateStillAhead && late - due < 0) {
            due = late;
        }
        return expiry - due < 0 ? expiry : due;
    }

    /** RFC 7675 §5.1: uniformly within ±20 % of the interval, so thousands of calls do not synchronise. */
    private long jittered() {
        return (long) (intervalNanos * (0.8 + 0.4 * random.nextDouble()));
    }
}
