package dev.wavoice.server.config;

import java.util.Locale;

/** Which agent answers a call. */
public enum AgentKind {
    /** The built-in local agent (no API key needed). */
    LOCAL,
    /** No agent: the caller's audio is returned as it arrives (a line test). */
    ECHO,
    /** OpenAI Realtime over WebSocket. */
    OPENAI,
    /**
     * No agent, but the agent's audio path: the caller's audio is decoded, resampled to 24 kHz and handed back as
     * if an agent had said it, then encoded again. The transcoding cost of a call, for load tests.
     */
    PCM_ECHO,
    /** A voice bot of the business's own, over Twilio's Media Streams WebSocket protocol ({@code WAVOICE_STREAM_URL}). */
    STREAM;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
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
            return valueOf(configured.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("WAVOICE_AGENT must be one of local, echo, pcm-echo, openai, stream (got '" + configured + "')");
        }
    }
}
