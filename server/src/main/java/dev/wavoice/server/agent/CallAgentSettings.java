package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What call control gives the agent side, which is built before it: per-call agent settings, by call id (set by
 * whoever places a call before its agent session opens, read by the connector when it opens one, dropped when the call
 * ends; calls without an entry get the configured agent), each call's {@link CallFacts} (which number it is on, who
 * calls), and the scheduler behind the built-in
 * {@code schedule_callback} tool.
 */
public final class CallAgentSettings {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A week: a promise further out than that is not a call back. */
    private static final double MAX_MINUTES = 7 * 24 * 60;

    private final Map<String, AgentOverrides> byCall = new ConcurrentHashMap<>();
    private final Map<String, CallFacts> facts = new ConcurrentHashMap<>();
    private volatile CallbackScheduler callbacks = CallbackScheduler.UNAVAILABLE;
    private volatile boolean callbacksOffered;

    /** The agents were given the {@code schedule_callback} tool: call backs will be promised, so someone dials them. */
    public void offerCallbacks() {
        callbacksOffered = true;
    }

    public boolean callbacksOffered() {
        return callbacksOffered;
    }

    /** Call control, once it exists, makes the call backs the agents promise. */
    public void bindCallbacks(CallbackScheduler scheduler) {
        this.callbacks = scheduler;
    }

    /** Runs a {@code schedule_callback} tool call: its output for the agent, errors included. */
    public String scheduleCallback(String callId, String argumentsJson) {
        double minutes;
        String reason;
        try {
            JsonNode args = JSON.readTree(argumentsJson == null ? "{}" : argumentsJson);
            JsonNode m = args.path("minutes");
            if (!m.isNumber() || m.asDouble() < 0 || m.asDouble() > MAX_MINUTES || Double.isNaN(m.asDouble())) {
                return "{\"error\":\"minutes must be a number from 0 to " + (long) MAX_MINUTES + "\"}";
            }
            minutes = m.asDouble();
            reason = args.path("reason").isTextual() ? args.path("reason").asText() : "";
        } catch (IOException e) {
            return "{\"error\":\"arguments are not JSON\"}";
        }
        if (reason.length() > 1000) {
            reason = reason.substring(0, 1000);
        }
        return callbacks.schedule(callId, Duration.ofMillis(Math.round(minutes * 60_000)), reason);
    }

    public void put(String callId, AgentOverrides overrides) {
        if (overrides != null && !overrides.isEmpty()) {
            byCall.put(callId, overrides);
        }
    }

    /** What the call's agent may know of it; set before the call's media opens, replaced as it learns more. */
    public void describe(String callId, CallFacts callFacts) {
        facts.put(callId, callFacts);
    }

    /** The call's facts, or null for a call call control did not describe (a self-call, a test's). */
    public CallFacts facts(String callId) {
        return facts.get(callId);
    }

    public void remove(String callId) {
        byCall.remove(callId);
        facts.remove(callId);
    }

    /** The agent configuration a call's session opens with. */
    public AgentConfig effective(String callId, AgentConfig base) {
        AgentOverrides o = byCall.get(callId);
        return o == null ? base : o.applyTo(base);
    }
}
