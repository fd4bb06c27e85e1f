package dev.wavoice.media.ice;

import java.time.Duration;

/**
 * Timing of an {@link IceAgent}; immutable. Start from {@link #defaults()} and change what you need with the
 * {@code with...} methods.
 *
 * @param checkInterval      Ta, the pacing between new checks (RFC 8445 §14.2; 50 ms is the RFC's default)
 * @param initialRto         first retransmission timeout of a check (RFC 8445 §14.3)
 * @param maxRto             cap on the doubling RTO, so a lost check is retried within the failure timeout
 * @param maxRetransmissions retransmissions per check before the pair fails (RFC 8489 Rc - 1)
 * @param failureTimeout     no pair selected by then: {@link IceEvent.Failed}
 * @param nominationDelay    regular nomination toward a full peer: how long to wait for a better pair
 * @param consentInterval    RFC 7675 §5.1: a consent check every ~5 s, jittered by ±20 %
 * @param disconnectedAfter  no consent response for this long: {@link IceEvent.Disconnected} (recoverable)
 * @param consentTimeout     RFC 7675 §5.1: 30 s without a response and consent is lost: {@link IceEvent.Failed}
 */
public record IceConfig(Duration checkInterval, Duration initialRto, Duration maxRto, int maxRetransmissions,
                        Duration failureTimeout, Duration nominationDelay, Duration consentInterval,
                        Duration disconnectedAfter, Duration consentTimeout) {

    public static IceConfig defaults() {
        return new IceConfig(Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofSeconds(1), 6,
                Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofSeconds(12),
                Duration.ofSeconds(30));
    }

    public IceConfig {
        if (checkInterval.isNegative() || checkInterval.isZero() || initialRto.isZero() || maxRto.compareTo(initialRto) < 0
                || maxRetransmissions < 0 || consentTimeout.compareTo(consentInterval) <= 0) {
            throw new IllegalArgumentException("inconsistent ICE timing: " + this);
        }
    }

    public IceConfig withCheckInterval(Duration d) {
        return new IceConfig(d, initialRto, maxRto, maxRetransmissions, failureTimeout, nominationDelay,
                consentInterval, disconnectedAfter, consentTimeout);
    }

    public IceConfig withFailureTimeout(Duration d) {
        return new IceConfig(checkInterval, initialRto, maxRto, maxRetransmissions, d, nominationDelay,
                consentInterval, disconnectedAfter, consentTimeout);
    }

    public IceConfig withConsent(Duration interval, Duration disconnectedAfter, Duration timeout) {
        return new IceConfig(checkInterval, initialRto, maxRto, maxRetransmissions, failureTimeout, nominationDelay,
                interval, disconnectedAfter, timeout);
    }

    public IceConfig withRetransmission(Duration initialRto, Duration maxRto, int maxRetransmissions) {
        return new IceConfig(checkInterval, initialRto, maxRto, maxRetransmissions, failureTimeout, nominationDelay,
                consentInterval, disconnectedAfter, consentTimeout);
    }
}
