package dev.wavoice.server.call;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The live calls of this instance, bounded by {@code WAVOICE_MAX_CALLS}. */
public final class CallRegistry {
    /** What {@link #register} did. */
    public enum Admission { ADMITTED, DUPLICATE, OVER_CAPACITY }

    private final ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();
    private final int maxCalls;

    public CallRegistry(int maxCalls, MeterRegistry metrics) {
        this.maxCalls = maxCalls;
        Gauge.builder("wavoice.calls.active", calls, ConcurrentHashMap::size)
                .description("calls currently registered (ringing, pre-accepted or connected)")
                .register(metrics);
    }

    /** Admits a call unless its id is already live or the instance is full; the check and insert are atomic. */
    public synchronized Admission register(Call call) {
        if (calls.containsKey(call.callId())) {
            return Admission.DUPLICATE;
        }
        if (calls.size() >= maxCalls) {
            return Admission.OVER_CAPACITY;
        }
        calls.put(call.callId(), call);
        return Admission.ADMITTED;
    }

    public Optional<Call> find(String callId) {
        return Optional.ofNullable(calls.get(callId));
    }

    public void remove(Call call) {
        calls.remove(call.callId(), call);
    }

    public int size() {
        return calls.size();
    }

    public int maxCalls() {
        return maxCalls;
    }

    public Collection<Call> live() {
        return List.copyOf(calls.values());
    }
}
