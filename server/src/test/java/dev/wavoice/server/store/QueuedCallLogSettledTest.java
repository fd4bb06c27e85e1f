package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mark a webhook's 200 waits on: once {@code awaitSettled} says the writes queued before the mark are in,
 * every one of them is readable; while the database cannot take them the wait ends at its bound, false.
 */
class QueuedCallLogSettledTest {
    @TempDir
    Path dir;

    @Test
    void everyWriteQueuedBeforeTheMarkIsReadableOnceSettled() throws Exception {
        try (Database db = new Database("jdbc:h2:file:" + dir.resolve("wavoice"))) {
            CallLogRepository repo = new CallLogRepository(db.dataSource());
            QueuedCallLog log = new QueuedCallLog(repo, db::migrate, 1000, new SimpleMeterRegistry()).start();
            for (int round = 0; round < 5; round++) {
                String callId = "wacid.SETTLED-" + round;
                for (int i = 0; i < 20; i++) {
                    log.event(callId, "test.event", Integer.toString(i));
                }
                long mark = log.acceptedWrites();
                assertThat(mark).isEqualTo(20L * (round + 1));
                assertThat(log.awaitSettled(mark, Duration.ofSeconds(10))).isTrue();
                assertThat(repo.events(callId)).as("round %d, read right after the wait", round).hasSize(20);
            }
            log.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aWaitingWebhookCutsTheWritersLingerShort() throws Exception {
        try (Database db = new Database("jdbc:h2:file:" + dir.resolve("wavoice"))) {
            CallLogRepository repo = new CallLogRepository(db.dataSource());
            // a linger far beyond the wait: only the cut can settle the writes in time
            QueuedCallLog log = new QueuedCallLog(repo, db::migrate, 1000, QueuedCallLog.DEFAULT_MAX_BATCH,
                    Duration.ofSeconds(60), new SimpleMeterRegistry()).start();
            log.event("wacid.HURRIED", "webhook.terminate", null);
            assertThat(log.awaitSettled(log.acceptedWrites(), Duration.ofSeconds(10))).isTrue();
            assertThat(repo.events("wacid.HURRIED")).hasSize(1);
            log.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void theWaitEndsAtItsBoundWhileTheDatabaseCannotTakeTheWrites() throws Exception {
        AtomicBoolean reachable = new AtomicBoolean(false);
        try (Database db = new Database("jdbc:h2:file:" + dir.resolve("wavoice"))) {
            QueuedCallLog log = new QueuedCallLog(new CallLogRepository(db.dataSource()), () -> {
                if (!reachable.get()) {
                    throw new IllegalStateException("database down");
                }
                db.migrate();
            }, 1000, new SimpleMeterRegistry()).start();
            log.event("wacid.UNSETTLED", "test.event", null);
            long started = System.nanoTime();
            assertThat(log.awaitSettled(log.acceptedWrites(), Duration.ofMillis(300))).isFalse();
            assertThat((System.nanoTime() - started) / 1_000_000).isBetween(250L, 5_000L);
            reachable.set(true);
            assertThat(log.awaitSettled(log.acceptedWrites(), Duration.ofSeconds(20))).as("settles once it is up")
                    .isTrue();
            log.close(Duration.ofSeconds(5));
        }
    }
}
