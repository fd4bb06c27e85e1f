package dev.wavoice.server.config;

import java.util.Locale;

/** Which agent answers a call. */
public enum AgentKind {
    /** The built-in local agent (no API key needed). */
    LOCAL,
    /** No agent: the caller's audio is returned as it arrives (a line test). */
    ECHO,
    /** OpenAI Realtime over WebSocket. */
    OPENAI;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Resolves {@code WAVOICE_AGENT}: an explicit value wins; otherwise OpenAI when a key is present,
     * else the local agent, so a fresh checkout answers calls without any account.
     */
    public static AgentKind resolve(String configured, boolean openAiKeyPresent) {
        if (configured == null || configured.isBlank()) {
            return openAiKeyPresent ? OPENAI : LOCAL;
        }
        try {
            return valueOf(configured.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("WAVOICE_AGENT must be one of local, echo, openai (got '" + configured + "')");
        }
    }
}
