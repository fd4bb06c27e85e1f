package dev.wavoice.server.agent;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-call agent settings, by call id: set by whoever places a call before its agent session opens, read by the
 * connector when it opens one, dropped when the call ends. Calls without an entry get the configured agent.
 */
public final class CallAgentSettings {
    private final Map<String, AgentOverrides> byCall = new ConcurrentHashMap<>();

    public void put(String callId, AgentOverrides overrides) {
        if (overrides != null && !overrides.isEmpty()) {
            byCall.put(callId, overrides);
        }
    }

    public void remove(String callId) {
        byCall.remove(callId);
    }

    /** The agent configuration a call's session opens with. */
    public AgentConfig effective(String callId, AgentConfig base) {
        AgentOverrides o = byCall.get(callId);
        return o == null ? base : o.applyTo(base);
    }

    public int size() {
        return byCall.size();
    }
}
