package dev.wavoice.server.config;

import java.util.Locale;

/**
 * What a ringing call gets when its agent fails before the call is accepted ({@code WAVOICE_AGENT_UNAVAILABLE}).
 * After the call was accepted the caller always hears the apology tone, then the call ends.
 */
public enum AgentUnavailable {
    /**
     * The default: reject the ringing call when the failure is permanent (a refused key, no quota, an unknown model:
     * nothing to wait for, and the caller's phone shows at once that nobody can take the call); answer with the
     * apology tone when the agent was only unreachable.
     */
    AUTO,
    /** Always answer with the apology tone, then hang up. */
    APOLOGY,
    /** Always reject the ringing call through Graph. */
    REJECT;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a failure of this kind, while the call rings, gets the call rejected. */
    public boolean rejects(boolean permanentFailure) {
        return this == REJECT || (this == AUTO && permanentFailure);
    }

    public static AgentUnavailable parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "apology" -> APOLOGY;
            case "reject" -> REJECT;
            default -> throw new ConfigException(
                    "WAVOICE_AGENT_UNAVAILABLE must be auto, apology or reject (got '" + value + "')");
        };
    }
}
