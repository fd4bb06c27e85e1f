package dev.wavoice.server.agent;

/**
 * Receives a session's events, one at a time and in order, on the session's I/O thread: keep it quick
 * (hand audio to the outbound queue, never block on the network).
 */
@FunctionalInterface
public interface AgentListener {
    void onEvent(AgentEvent event);
}
