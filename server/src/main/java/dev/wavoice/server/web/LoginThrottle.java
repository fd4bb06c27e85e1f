package dev.wavoice.server.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed dashboard logins per client address: after {@value #MAX_FAILURES} failures within a minute that address
 * may not try again until the minute is over, so the admin token cannot be guessed at the speed of the network.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int MAX_TRACKED = 10_000;

    private record Failures(Instant windowStart, int count) {}

    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();
    private final Clock clock;

    LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** How long {@code address} must still wait before its next attempt; zero when it may try now. */
    Duration waitFor(String address) {
        Failures f = byAddress.get(address);
        if (f == null || f.count() < MAX_FAILURES) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), f.windowStart().plus(WINDOW));
        if (left.isNegative() || left.isZero()) {
            byAddress.remove(address);
            return Duration.ZERO;
        }
        return left;
    }

    void failed(String address) {
        Instant now = clock.instant();
        if (byAddress.size() >= MAX_TRACKED) {
            byAddress.values().removeIf(f -> !f.windowStart().plus(WINDOW).isAfter(now));
        }
        byAddress.compute(address, (a, f) -> f == null || !f.windowStart().plus(WINDOW).isAfter(now)
                ? new Failures(now, 1) : new Failures(f.windowStart(), f.count() + 1));
    }

    void succeeded(String address) {
        byAddress.remove(address);
    }
}
