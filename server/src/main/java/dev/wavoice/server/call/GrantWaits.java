package dev.wavoice.server.call;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Calls placed with {@code dial_on_grant} that wait for the user's call permission: by business number and user, each
 * with what it asked for, so the grant dials it as asked. In memory: a waiting call lives in the instance that placed
 * it.
 */
final class GrantWaits {

    /** A waiting call and its request. */
    record Waiting(Call call, OutboundCalls.DialRequest request) {
    }

    private final Map<String, List<Waiting>> byUser = new ConcurrentHashMap<>();

    void add(Call call, OutboundCalls.DialRequest request) {
        byUser.computeIfAbsent(key(call), k -> new CopyOnWriteArrayList<>()).add(new Waiting(call, request));
    }

    /** The calls waiting for {@code user}'s grant on {@code phoneNumberId}, no longer waiting from now on. */
    List<Waiting> takeAll(String phoneNumberId, String user) {
        List<Waiting> waiting = byUser.remove(phoneNumberId + "/" + user);
        return waiting == null ? List.of() : waiting;
    }

    /** The call waits no more (it ended, or its wait ran out). */
    void drop(Call call) {
        byUser.computeIfPresent(key(call), (k, list) -> {
            list.removeIf(w -> w.call() == call);
            return list.isEmpty() ? null : list;
        });
    }

    private static String key(Call call) {
        return call.phoneNumberId() + "/" + call.caller().handle();
    }
}
