package dev.wavoice.server.permission;

import java.time.Instant;

/**
 * One of Meta's limits on a permission action ({@code actions[].limits[]}): at most {@code maxAllowed} in
 * {@code timePeriod} (ISO 8601, e.g. {@code PT24H}, {@code P7D}), {@code currentUsage} used so far;
 * {@code limitExpiresAt} ({@code limit_expiration_time}) is when an exhausted limit frees up, when Meta says.
 */
public record ActionLimit(String timePeriod, int maxAllowed, int currentUsage, Instant limitExpiresAt) {

    public boolean exhausted() {
        return currentUsage >= maxAllowed;
    }

    /** Meta's figures in Meta's words, for a message a user can act on. */
    public String describe() {
        return "time_period=" + timePeriod + " current_usage=" + currentUsage + " max_allowed=" + maxAllowed
                + (limitExpiresAt == null ? "" : " limit_expiration_time=" + limitExpiresAt);
    }
}
