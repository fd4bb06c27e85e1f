package dev.wavoice.server.agent;

import dev.wavoice.server.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a {@link RealtimeSession} keeps a long call going: reconnecting a dropped socket, and rolling over to a new
 * session before the service's 60-minute session limit. Immutable.
 *
 * @param reconnectBackoff        delay before each reconnect attempt (the last one repeats), jittered ±25 %
 * @param maxReconnectAttempts    attempts in a row before the session gives up and reports
 *                                {@link AgentEvent.Closed}; a socket that lived less than {@link #STABLE_AFTER}
 *                                does not reset the count, so a server that accepts and drops at once is not
 *                                retried forever
 * @param maxReconnectTime        give up when the agent has been unreachable this long, whatever the attempts: the
 *                                longest a caller waits in silence before the apology tone and the end
 * @param rolloverAfter           from this session age on, roll over at the next quiet moment (no response in
 *                                progress, caller not talking, no tool call outstanding)
 * @param forceRolloverAfter      roll over at this age even mid-response
 * @param historyChars            the transcript kept to restore context on a new socket, at most this many chars
 */
public record SessionPolicy(List<Duration> reconnectBackoff, int maxReconnectAttempts, Duration maxReconnectTime,
                            Duration rolloverAfter, Duration forceRolloverAfter, int historyChars) {

    /** A socket that stayed up this long was a working connection: its loss starts a fresh attempt count. */
    public static final Duration STABLE_AFTER = Duration.ofSeconds(10);
    /** Env var: session age in seconds after which the session rolls over (default 3300 = 55 min). */
    public static final String ROLLOVER_ENV = "WAVOICE_AGENT_ROLLOVER_SECONDS";
    /** Env var: the longest outage, in seconds, a call rides out by reconnecting (default 10). */
    public static final String MAX_SILENCE_ENV = "WAVOICE_AGENT_MAX_SILENCE_SECONDS";

    public SessionPolicy {
        reconnectBackoff = List.copyOf(reconnectBackoff);
        if (reconnectBackoff.isEmpty() || maxReconnectAttempts < 1) {
            throw new ConfigException("agent reconnect needs at least one backoff delay and one attempt");
        }
        if (rolloverAfter.isNegative() || rolloverAfter.isZero() || forceRolloverAfter.compareTo(rolloverAfter) < 0) {
            throw new ConfigException("agent session rollover: 0 < rolloverAfter <= forceRolloverAfter (got "
                    + rolloverAfter + ", " + forceRolloverAfter + ")");
        }
        if (historyChars < 0) {
            throw new ConfigException("agent transcript history must be >= 0 chars");
        }
    }

    /**
     * 0.2, 0.5, 1, 2, 4 s between attempts, 8 attempts or 10 s (a caller who hears nothing for longer has likely
     * hung up already); roll over from 55 minutes, forced at 58 (the service ends sessions at 60); 8000 chars of
     * transcript.
     */
    public static SessionPolicy defaults() {
        return new SessionPolicy(
                List.of(Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                        Duration.ofSeconds(4)),
                8, Duration.ofSeconds(10), Duration.ofMinutes(55), Duration.ofMinutes(58), 8_000);
    }

    /** The defaults, with {@value #ROLLOVER_ENV} (the forced rollover follows 3 minutes later) and
     * {@value #MAX_SILENCE_ENV} if set. */
    public static SessionPolicy fromEnvironment(Map<String, String> env) {
        SessionPolicy policy = defaults();
        Long rollover = seconds(env, ROLLOVER_ENV, 1, 3_500);
        if (rollover != null) {
            policy = policy.withRollover(Duration.ofSeconds(rollover), Duration.ofSeconds(Math.min(rollover + 180, 3_540)));
        }
        Long silence = seconds(env, MAX_SILENCE_ENV, 1, 300);
        if (silence != null) {
            policy = policy.withReconnect(policy.reconnectBackoff(), policy.maxReconnectAttempts(),
                    Duration.ofSeconds(silence));
        }
        return policy;
    }

    private static Long seconds(Map<String, String> env, String name, long min, long max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        long seconds;
        try {
            seconds = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a number of seconds (got '" + value + "')");
        }
        if (seconds < min || seconds > max) {
            throw new ConfigException(name + " must be " + min + ".." + max + " seconds (got " + seconds + ")");
        }
        return seconds;
    }

    public SessionPolicy withRollover(Duration after, Duration forceAfter) {
        return new SessionPolicy(reconnectBackoff, maxReconnectAttempts, maxReconnectTime, after, forceAfter,
                historyChars);
    }

    public SessionPolicy withReconnect(List<Duration> backoff, int maxAttempts, Duration maxTime) {
        return new SessionPolicy(backoff, maxAttempts, maxTime, rolloverAfter, forceRolloverAfter, historyChars);
    }

    /** The jittered delay before attempt {@code attempt} (0-based). */
    Duration backoff(int attempt) {
        Duration base = reconnectBackoff.get(Math.min(Math.max(attempt, 0), reconnectBackoff.size() - 1));
        double factor = 0.75 + 0.5 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base.toNanos() * factor));
    }
}
