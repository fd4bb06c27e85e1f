package dev.wavoice.server.agent;

/**
 * How many more tries a {@link RealtimeSession} gives a failing agent: attempts in a row (bounded by the
 * {@link SessionPolicy}), and failures in a row that no known code explains (an agent answering with something nobody
 * documents is retried only {@value #MAX_UNKNOWN_IN_A_ROW} times). A socket that stayed up
 * {@link SessionPolicy#STABLE_AFTER} was a working connection and starts both counts afresh. Not thread-safe: the
 * session calls it under its lock.
 */
final class ReconnectBudget {
    /** Failures in a row that no known code explained, before the session stops retrying them. */
    static final int MAX_UNKNOWN_IN_A_ROW = 3;

    private final int maxAttempts;
    /** Dials since the last socket that proved stable. */
    private int attempts;
    private int unknownInARow;

    ReconnectBudget(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    int attempts() {
        return attempts;
    }

    void dialling() {
        attempts++;
    }

    /** A planned rollover succeeded: nothing was failing. */
    void rolledOver() {
        attempts = 0;
    }

    /** The socket in service was lost after {@code ageNanos}; a long-lived one resets the counts. */
    void socketLost(long ageNanos) {
        if (ageNanos >= SessionPolicy.STABLE_AFTER.toNanos()) {
            attempts = 0;
            unknownInARow = 0;
        }
    }

    /** Counts a transient failure; says why it is not worth another try, or null when it is. */
    String giveUpAfter(AgentFailure failure) {
        if (failure.known()) {
            unknownInARow = 0;
        } else if (++unknownInARow >= MAX_UNKNOWN_IN_A_ROW) {
            return "gave up after " + unknownInARow + " unexplained failures in a row";
        }
        return attempts >= maxAttempts ? "gave up after " + attempts + " reconnect attempts" : null;
    }
}
