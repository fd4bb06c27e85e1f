package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code rate_limits.updated}: the service sends one after every response, so logging each would flood the
 * log. A line is written only when a limit crosses into or out of "low" (under 10 % remaining). Receive-thread
 * only.
 */
final class RateLimitWatch {
    private static final Logger log = LoggerFactory.getLogger(RateLimitWatch.class);
    private static final double LOW_FRACTION = 0.10;
    /** The service names two or three limits; a cap keeps a misbehaving server from growing the map. */
    private static final int MAX_NAMES = 16;

    private final String callId;
    private final Map<String, Boolean> low = new HashMap<>();

    RateLimitWatch(String callId) {
        this.callId = callId;
    }

    void update(JsonNode event) {
        for (JsonNode limit : event.path("rate_limits")) {
            String name = limit.path("name").asText("");
            long max = limit.path("limit").asLong();
            long remaining = limit.path("remaining").asLong();
            boolean isLow = max > 0 && remaining < max * LOW_FRACTION;
            if (!low.containsKey(name) && low.size() >= MAX_NAMES) {
                continue;
            }
            Boolean was = low.put(name, isLow);
            if (isLow && !Boolean.TRUE.equals(was)) {
                log.warn("agent rate limit low callId={} limit={} remaining={} of={} resetSeconds={}", callId, name,
                        remaining, max, limit.path("reset_seconds").asDouble());
            } else if (!isLow && Boolean.TRUE.equals(was)) {
                log.info("agent rate limit recovered callId={} limit={} remaining={} of={}", callId, name, remaining,
                        max);
            }
        }
    }
}
