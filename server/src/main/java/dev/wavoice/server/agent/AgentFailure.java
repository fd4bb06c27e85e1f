package dev.wavoice.server.agent;

/**
 * Why an agent session failed, classified once ({@link AgentFailures}) so that every transport and every caller of
 * it decides the same way: a {@link Kind#PERMANENT} failure will fail again on the next try (a refused key, no quota,
 * an unknown model), so nothing reconnects and the caller is told at once; a {@link Kind#TRANSIENT} one may heal
 * (a dropped socket, a 5xx, a rate limit), so the session reconnects within its bound.
 *
 * @param kind   permanent or transient
 * @param code   a short, bounded label (a known error code, {@code http_401}, {@code close_3000}, {@code other}):
 *               safe as a metric label, shown on the call row
 * @param known  false when nothing in the failure matched a known code: transient, but only a few times in a row
 * @param detail what the agent said (error message, close reason); never the key
 * @param hint   what to fix, for a person reading the log or the dashboard; empty when there is nothing to fix
 */
public record AgentFailure(Kind kind, String code, boolean known, String detail, String hint) {

    public enum Kind {
        TRANSIENT, PERMANENT;

        /** The metric label. */
        public String label() {
            return this == PERMANENT ? "permanent" : "transient";
        }
    }

    public AgentFailure {
        detail = detail == null ? "" : detail;
        hint = hint == null ? "" : hint;
    }

    public boolean permanent() {
        return kind == Kind.PERMANENT;
    }

    /** One line for the call row and the log: the hint when there is one, then the code and what the agent said. */
    public String summary() {
        String said = detail.isBlank() || detail.equals(code) ? code : code + ": " + detail;
        return hint.isBlank() ? said : hint + " (" + said + ")";
    }

    /**
     * The same failure once the session stopped retrying it (an unknown error repeated too often, an outage too
     * long). Its kind stays: the agent may well be back for the next call, so a ringing call is apologised to rather
     * than rejected.
     */
    AgentFailure givenUp(String why) {
        return new AgentFailure(kind, code, known, detail.isBlank() ? why : detail + "; " + why, hint);
    }

    /** The same failure with other words of the agent's (e.g. with a secret taken out). */
    AgentFailure withDetail(String newDetail) {
        return new AgentFailure(kind, code, known, newDetail, hint);
    }

    @Override
    public String toString() {
        return kind.label() + " " + summary();
    }
}
