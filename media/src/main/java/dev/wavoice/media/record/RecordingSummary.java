package dev.wavoice.media.record;

import java.nio.file.Path;

/**
 * A recording as it stands (while running) or as it ended (from {@link TwoChannelRecorder#stop()}).
 *
 * @param path           the file, or null for a sink that is not a file
 * @param durationMillis ticks recorded × 20 ms: the file's length whatever either side's clock did
 * @param bytesWritten   bytes the sink accepted
 * @param caller         channel 0
 * @param agent          channel 1
 * @param writeErrors    failed writes (or a writer too far behind); after the first the recording stops, so the
 *                       file holds a prefix of the call without a closing page
 */
public record RecordingSummary(Path path, long durationMillis, long bytesWritten, ChannelCounts caller,
                               ChannelCounts agent, long writeErrors) {
}
