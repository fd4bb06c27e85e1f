package dev.wavoice.server.agent;

import dev.wavoice.server.config.ConfigException;
import java.util.Locale;

/** Who decides that the caller finished a turn: the server's energy VAD or its semantic model. */
public enum TurnDetection {
    SERVER_VAD, SEMANTIC_VAD;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TurnDetection parse(String value) {
        for (TurnDetection t : values()) {
            if (t.wireName().equalsIgnoreCase(value.trim())) {
                return t;
            }
        }
        throw new ConfigException("turn_detection must be server_vad or semantic_vad (got '" + value + "')");
    }
}
