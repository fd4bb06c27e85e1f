package dev.wavoice.server.store;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures over the whole call log.
 *
 * @param calls       every call row
 * @param connected   calls that reached CONNECTED
 * @param talkMillis  sum of the ended calls' durations
 * @param byEndReason ended calls per end reason
 */
public record CallTotals(long calls, long connected, long talkMillis, Map<String, Long> byEndReason) {
    public CallTotals {
        byEndReason = Collections.unmodifiableMap(new TreeMap<>(byEndReason));
    }
}
