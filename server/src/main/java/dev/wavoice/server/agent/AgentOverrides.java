package dev.wavoice.server.agent;

/**
 * What one call asks of its agent beyond the configured defaults: a business placing a call says why it calls
 * ({@code instructions}), in which voice, and what to say first. Null fields keep the configured value.
 *
 * @param firstMessage said, word for word, as the agent's first turn (instead of the configured greeting)
 */
public record AgentOverrides(String instructions, String voice, String firstMessage) {
    public static final AgentOverrides NONE = new AgentOverrides(null, null, null);

    /** Longest text accepted for a field: a whole script is fine, a megabyte in a session update is not. */
    public static final int MAX_CHARS = 8_000;

    public AgentOverrides {
        instructions = blankToNull(instructions);
        voice = blankToNull(voice);
        firstMessage = blankToNull(firstMessage);
        for (String field : new String[] {instructions, voice, firstMessage}) {
            if (field != null && field.length() > MAX_CHARS) {
                throw new IllegalArgumentException("agent settings are limited to " + MAX_CHARS + " characters each");
            }
        }
        if (voice != null && !voice.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("voice must be a voice name such as marin");
        }
    }

    public boolean isEmpty() {
        return instructions == null && voice == null && firstMessage == null;
    }

    /** {@code base} with these settings in place of its own. */
    public AgentConfig applyTo(AgentConfig base) {
        if (isEmpty()) {
            return base;
        }
        String greeting = firstMessage == null ? base.greeting()
                : "Say exactly this, then wait for the answer: \"" + firstMessage.replace("\"", "'") + "\"";
        return base.withPersona(instructions == null ? base.instructions() : instructions,
                voice == null ? base.voice() : voice, greeting);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
