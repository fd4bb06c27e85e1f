package dev.wavoice.server.agent;

/**
 * Receives a session's events in order, on the session's I/O thread: keep it quick (hand audio to the outbound
 * queue, never block on the network). The final {@link AgentEvent.Closed} comes on the thread that called
 * {@link AgentSession#close()} when the bridge closed the session itself; {@link AgentEvent.Reconnected}, and a
 * {@link AgentEvent.Closed} after reconnecting gave up, come on a connector thread, never overlapping another event.
 */
@FunctionalInterface
public interface AgentListener {
    void onEvent(AgentEvent event);
}
