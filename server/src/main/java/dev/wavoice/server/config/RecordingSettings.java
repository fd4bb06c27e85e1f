package dev.wavoice.server.config;

import java.nio.file.Path;

/**
 * Where call recordings go and how long they are kept. Whether a call is recorded is its agent's setting
 * ({@code recording: on} in the agent config file, or {@code WAVOICE_RECORDING=on} for the default agent).
 *
 * @param dir  {@code WAVOICE_RECORDINGS_DIR}, default {@code ./data/recordings}
 * @param days {@code WAVOICE_RECORDING_DAYS}: files of calls that ended longer ago are deleted; 0 keeps them forever
 */
public record RecordingSettings(Path dir, int days) {
    public static final Path DEFAULT_DIR = Path.of("data", "recordings");
    public static final int DEFAULT_DAYS = 30;
    public static final RecordingSettings DEFAULT = new RecordingSettings(DEFAULT_DIR, DEFAULT_DAYS);

    public RecordingSettings {
        dir = dir == null ? DEFAULT_DIR : dir;
        if (days < 0) {
            throw new ConfigException("WAVOICE_RECORDING_DAYS must be 0 (keep) or more (got " + days + ")");
        }
    }
}
