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
    /** Business-initiated calls by WhatsApp's id, which their webhooks carry instead of ours. */
    private final ConcurrentHashMap<String, Call> byWaCallId = new ConcurrentHashMap<>();
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

    /** A live call by our id, or a business-initiated one by WhatsApp's. */
    public Optional<Call> find(String callId) {
        Call call = calls.get(callId);
        return Optional.ofNullable(call != null ? call : byWaCallId.get(callId));
    }

    /** Makes a business-initiated call findable by the id WhatsApp gave it. */
    void knownAs(String waCallId, Call call) {
        byWaCallId.put(waCallId, call);
    }

    public void remove(Call call) {
        calls.remove(call.callId(), call);
        String wa = call.waCallId();
        if (wa != null) {
            byWaCallId.remove(wa, call);
        }
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
