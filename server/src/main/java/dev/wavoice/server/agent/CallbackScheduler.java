package dev.wavoice.server.agent;

import java.time.Duration;

/** Records that the caller of a live call is to be called back (the agent's {@code schedule_callback} tool). */
@FunctionalInterface
public interface CallbackScheduler {
    /**
     * @return the tool's output for the agent: when the call back is due, or what prevents it
     */
    String schedule(String callId, Duration after, String reason);

    /** Until call control binds its scheduler: the tool says it cannot be used. */
    CallbackScheduler UNAVAILABLE = (callId, after, reason) ->
            "{\"error\":\"call backs are not available on this server\"}";
}
