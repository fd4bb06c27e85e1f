package dev.wavoice.server.whatsapp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recently seen event keys so a redelivered webhook (Meta retries anything it did not see
 * acknowledged) is processed once. Bounded: the oldest keys go first, which is safe because redeliveries come
 * within minutes, not after thousands of newer events.
 */
public final class EventDeduplicator implements Deliveries {
    private final Map<String, Boolean> seen;

    public EventDeduplicator(int capacity) {
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time a key is offered, false for every repeat still remembered. */
    @Override
    public synchronized boolean firstTime(String key) {
        return seen.putIfAbsent(key, Boolean.TRUE) == null;
    }

    @Override
    public synchronized void forget(String key) {
        seen.remove(key);
    }

    public static String key(String id, String event, String timestamp) {
        return id + '|' + event + '|' + timestamp;
    }
}
