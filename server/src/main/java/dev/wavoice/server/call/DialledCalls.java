package dev.wavoice.server.call;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which call the business placed a WhatsApp call id names. WhatsApp's webhooks carry only its own id, which wavoice
 * learns when Graph answers {@code connect}; a webhook may race that answer (a simulator, or a user quicker than the
 * response), so a lookup waits briefly while a {@code connect} is in flight. Ended calls are remembered a while, so that
 * a late answer to one is told apart from an unknown id.
 */
final class DialledCalls {
    /** How long a webhook waits for a {@code connect} still in flight to say which call it is about. */
    private static final Duration RACE_WAIT = Duration.ofSeconds(3);
    private static final int REMEMBERED_ENDED = 4096;

    private final CallRegistry registry;
    private final Map<String, CompletableFuture<Call>> awaited = new ConcurrentHashMap<>();
    private final AtomicInteger connectsInFlight = new AtomicInteger();
    /** Ended calls by WhatsApp id (ours as the value), the latest few thousand. */
    private final Map<String, String> ended = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_ENDED;
        }
    };

    DialledCalls(CallRegistry registry) {
        this.registry = registry;
    }

    /** A {@code connect} is about to be sent; pair with {@link #connectDone()}. */
    void connecting() {
        connectsInFlight.incrementAndGet();
    }

    void connectDone() {
        connectsInFlight.decrementAndGet();
    }

    /** Graph named the call: from now on its webhooks find it, and one that waited for it has it. */
    void named(String waCallId, Call call) {
        registry.knownAs(waCallId, call);
        CompletableFuture<Call> waiting = awaited.remove(waCallId);
        if (waiting != null) {
            waiting.complete(call);
        }
    }

    /** The live call {@code waCallId} names, or null; waits briefly when a {@code connect} is in flight. */
    Call find(String waCallId) {
        var live = registry.find(waCallId);
        if (live.isPresent() || connectsInFlight.get() == 0) {
            return live.orElse(null);
        }
        CompletableFuture<Call> waiting = awaited.computeIfAbsent(waCallId, k -> new CompletableFuture<>());
        live = registry.find(waCallId); // named between the first look and the wait
        if (live.isPresent()) {
            awaited.remove(waCallId, waiting);
            return live.get();
        }
        try {
            return waiting.get(RACE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        } finally {
            awaited.remove(waCallId, waiting);
        }
    }

    void ended(Call call) {
        if (call.waCallId() != null) {
            synchronized (ended) {
                ended.put(call.waCallId(), call.callId());
            }
        }
    }

    /** Our id of an ended call WhatsApp knows as {@code waCallId}, if it ended lately. */
    String endedAs(String waCallId) {
        synchronized (ended) {
            return ended.get(waCallId);
        }
    }
}
