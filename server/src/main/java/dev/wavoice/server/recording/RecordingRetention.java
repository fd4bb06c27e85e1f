package dev.wavoice.server.recording;

import dev.wavoice.server.config.RecordingSettings;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.RecordingRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the recordings of calls that ended more than {@code WAVOICE_RECORDING_DAYS} ago, hourly, and marks their
 * rows. Each instance deletes only the files of the calls its own media carried: they are on its disk.
 */
public final class RecordingRetention {
    private static final Logger log = LoggerFactory.getLogger(RecordingRetention.class);
    private static final int BATCH = 500;
    static final Duration EVERY = Duration.ofHours(1);

    private final CallLogRepository repo;
    private final RecordingSettings settings;
    private final String instanceId;
    private final Clock clock;

    public RecordingRetention(CallLogRepository repo, RecordingSettings settings, String instanceId, Clock clock) {
        this.repo = repo;
        this.settings = settings;
        this.instanceId = instanceId;
        this.clock = clock;
    }

    /** Runs a minute after start (the schema is in place by then), then hourly; not at all when kept forever. */
    public void schedule(ScheduledExecutorService timers) {
        if (settings.days() == 0) {
            return;
        }
        try {
            timers.scheduleWithFixedDelay(this::runQuietly, 1, EVERY.toMinutes(), TimeUnit.MINUTES);
        } catch (RejectedExecutionException e) {
            // The server is stopping.
        }
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("recording.retention_failed error=\"{}\"", e.toString());
        }
    }

    /** Deletes what is due; returns how many recordings were removed. */
    public int runOnce() {
        if (settings.days() == 0) {
            return 0;
        }
        Instant now = clock.instant();
        Instant cutoff = now.minus(Duration.ofDays(settings.days()));
        int removed = 0;
        try {
            List<RecordingRecord> due;
            do {
                due = repo.recordingsEndedBefore(cutoff, instanceId, BATCH);
                for (RecordingRecord r : due) {
                    try {
                        Files.deleteIfExists(Path.of(r.path()));
                    } catch (IOException e) {
                        log.warn("recording.delete_failed callId={} path={} error=\"{}\"", r.callId(), r.path(),
                                e.toString());
                        return removed; // the same file would fail again this run; the next run retries it
                    }
                    repo.recordingDeleted(r.callId(), now);
                    removed++;
                }
            } while (due.size() == BATCH);
        } catch (SQLException e) {
            log.warn("recording.retention_failed error=\"{}\"", e.toString());
        }
        if (removed > 0) {
            log.info("recording.retention removed={} olderThanDays={}", removed, settings.days());
        }
        return removed;
    }
}
