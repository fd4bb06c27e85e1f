package dev.wavoice.server.agent;

import dev.wavoice.server.config.ConfigException;
import java.time.Duration;
import java.util.Map;

/**
 * How an agent socket that is open but no longer answering is noticed: a WebSocket ping every {@link #pingEvery},
 * and the socket counts as lost ({@code agent_stalled}, transient, so the session replaces it) once nothing at all,
 * neither a pong nor an event, has arrived for {@link #stallAfter}. Without it a hung agent keeps the caller in
 * silence until they hang up or the maximum call duration ends the call.
 *
 * @param pingEvery  time between pings; a third of the bound, so two pings go unanswered before a loss
 * @param stallAfter silence after which the socket is given up
 */
public record AgentKeepAlive(Duration pingEvery, Duration stallAfter) {
    /**
     * 10 s: an agent thinking over a long answer still answers pings (the service's transport does that, not the
     * model), so only a hung socket stays silent this long; and 10 s is also the longest outage the default
     * {@link SessionPolicy} rides out, so a caller never waits in silence much longer than that for either.
     */
    public static final Duration DEFAULT_STALL_AFTER = Duration.ofSeconds(10);
    /** Env var: seconds of silence (no pong, no event) after which the agent's socket is replaced (default 10). */
    public static final String STALL_ENV = "WAVOICE_AGENT_STALL_SECONDS";

    public AgentKeepAlive {
        if (pingEvery.isNegative() || pingEvery.isZero() || stallAfter.compareTo(pingEvery) <= 0) {
            throw new ConfigException("agent keep-alive: 0 < ping interval < stall bound (got " + pingEvery + ", "
                    + stallAfter + ")");
        }
    }

    /** Pings three times per bound. */
    public static AgentKeepAlive after(Duration stallAfter) {
        return new AgentKeepAlive(stallAfter.dividedBy(3), stallAfter);
    }

    public static AgentKeepAlive defaults() {
        return after(DEFAULT_STALL_AFTER);
    }

    /** The defaults, with {@value #STALL_ENV} if set (3..300 s). */
    public static AgentKeepAlive fromEnvironment(Map<String, String> env) {
        String value = env.get(STALL_ENV);
        if (value == null || value.isBlank()) {
            return defaults();
        }
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(STALL_ENV + " must be a number of seconds (got '" + value + "')");
        }
        if (seconds < 3 || seconds > 300) {
            throw new ConfigException(STALL_ENV + " must be 3..300 seconds (got " + seconds + ")");
        }
        return after(Duration.ofSeconds(seconds));
    }
}
