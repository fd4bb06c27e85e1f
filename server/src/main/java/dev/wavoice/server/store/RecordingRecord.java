package dev.wavoice.server.store;

import java.time.Instant;

/**
 * A call's recording as the call row keeps it.
 *
 * @param path       the Ogg/Opus file
 * @param durationMs its length (what was recorded: from the call's connection to its end)
 * @param bytes      its size on disk
 * @param deletedAt  when the retention removed the file; null while it is kept
 */
public record RecordingRecord(String callId, String path, long durationMs, long bytes, Instant deletedAt) {
}
