package dev.wavoice.server.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's login sessions: an opaque random id in the browser's cookie, its expiry here. The cookie never
 * carries the admin token itself, so a leaked cookie ends with its session (at logout or expiry) and does not
 * reveal the token. In memory: a restart logs everyone out, which is the safe side.
 */
final class AdminSessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final int MAX_SESSIONS = 10_000;

    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    AdminSessions(Clock clock) {
        this.clock = clock;
    }

    /** A new session's id (256 random bits, URL-safe). */
    String create() {
        Instant now = clock.instant();
        if (expiries.size() >= MAX_SESSIONS) {
            expiries.values().removeIf(expiry -> !expiry.isAfter(now));
            if (expiries.size() >= MAX_SESSIONS) {
                // Someone logs in in a loop: the session ending soonest makes room.
                expiries.entrySet().stream().min(Map.Entry.comparingByValue())
                        .ifPresent(oldest -> expiries.remove(oldest.getKey()));
            }
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        expiries.put(id, now.plus(LIFETIME));
        return id;
    }

    /** Whether {@code id} names a session that has not expired or ended. */
    boolean valid(String id) {
        if (id == null) {
            return false;
        }
        Instant expiry = expiries.get(id);
        if (expiry == null) {
            return false;
        }
        if (!expiry.isAfter(clock.instant())) {
            expiries.remove(id);
            return false;
        }
        return true;
    }

    void end(String id) {
        if (id != null) {
            expiries.remove(id);
        }
    }
}
