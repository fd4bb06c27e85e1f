package dev.wavoice.server.whatsapp;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded exponential backoff with full jitter (delay drawn from [0, min(cap, base * 2^n)]), so that many
 * calls retrying after one Graph hiccup do not come back in lockstep.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(2));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    /** Delay before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    public Duration delayAfter(int attempt) {
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    /** 5xx and 429 are Meta's "try again"; other 4xx mean the request itself is wrong. */
    public static boolean retryableStatus(int status) {
        return status == 429 || status >= 500;
    }
}
