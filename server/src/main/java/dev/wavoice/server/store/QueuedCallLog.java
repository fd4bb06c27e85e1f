package dev.wavoice.server.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call log as the call path sees it: every write is queued and returns at once; one writer thread applies
 * them in order and, when the database is down or slow, keeps retrying the head of the queue with backoff. A
 * write is lost only when the queue is full, when it keeps failing for a reason retrying cannot fix, or when it
 * is still pending at shutdown; each loss is counted ({@code wavoice_calllog_writes_lost_total}) and logged.
 */
public final class QueuedCallLog implements CallLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueuedCallLog.class);
    private static final int MAX_ATTEMPTS_NON_TRANSIENT = 3;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    /** One SQL write against an open connection; each is idempotent so a retry cannot duplicate a row. */
    @FunctionalInterface
    interface SqlWrite {
        void apply(CallLogRepository repo, Connection c) throws SQLException;
    }

    /** One queued write, with what the loss log line needs to say which call it belonged to. */
    record Write(String callId, String kind, SqlWrite sql) {}

    private final CallLogRepository repo;
    private final Runnable migrate;
    private final LinkedBlockingDeque<Write> queue;
    private final Thread writer;
    private final Counter written;
    private final Counter lost;
    private final Counter retries;
    private final AtomicLong lostCount = new AtomicLong();
    private volatile boolean migrated;
    private volatile boolean dbUp;
    private volatile boolean closing;
    private volatile boolean busy;
    private volatile long closeDeadline = Long.MAX_VALUE;
    /** Consecutive non-transient failures of the head write (writer thread only). */
    private int headFailures;

    /**
     * @param migrate runs the schema migrations; retried by the writer until it succeeds, so the service starts
     *     (and takes calls) while the database is still coming up
     */
    public QueuedCallLog(CallLogRepository repo, Runnable migrate, int capacity, MeterRegistry metrics) {
        this.repo = repo;
        this.migrate = migrate;
        this.queue = new LinkedBlockingDeque<>(capacity);
        this.written = metrics.counter("wavoice.calllog.writes", "result", "written");
        this.lost = Counter.builder("wavoice.calllog.writes.lost")
                .description("call-log writes given up (queue full, permanent error, or pending at shutdown)")
                .register(metrics);
        this.retries = metrics.counter("wavoice.calllog.writes", "result", "retried");
        Gauge.builder("wavoice.calllog.queue.depth", queue, LinkedBlockingDeque::size).register(metrics);
        Gauge.builder("wavoice.calllog.db.up", () -> dbUp ? 1 : 0).register(metrics);
        this.writer = Thread.ofPlatform().daemon().name("calllog-writer").unstarted(this::run);
    }

    public QueuedCallLog start() {
        writer.start();
        return this;
    }

    @Override
    public void saveCall(CallRecord call) {
        enqueue(new Write(call.callId(), "call", (repo, c) -> repo.saveCall(c, call)));
    }

    @Override
    public void event(CallEventRecord event) {
        enqueue(new Write(event.callId(), "event", (repo, c) -> repo.insertEvent(c, event)));
    }

    @Override
    public void transcript(TranscriptRecord transcript) {
        enqueue(new Write(transcript.callId(), "transcript", (repo, c) -> repo.insertTranscript(c, transcript)));
    }

    @Override
    public void usage(UsageRecord usage) {
        enqueue(new Write(usage.callId(), "usage", (repo, c) -> repo.insertUsage(c, usage)));
    }

    private void enqueue(Write w) {
        if (closing || !queue.offerLast(w)) {
            loseWrite(w, closing ? "closing" : "queue full");
        }
    }

    public int pending() {
        return queue.size();
    }

    public long lostWrites() {
        return lostCount.get();
    }

    /** True once the schema is in place. */
    public boolean isMigrated() {
        return migrated;
    }

    /** The writer's latest view of the database (false while it is retrying). */
    public boolean isDatabaseUp() {
        return dbUp;
    }

    /** Waits until every queued write is applied (or lost); false on timeout. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (queue.isEmpty() && migrated && !busy) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    private void run() {
        long backoffMs = 100;
        while (!closing || !queue.isEmpty()) {
            try {
                if (!migrated) {
                    migrate.run();
                    migrated = true;
                    markUp();
                }
                Write head = queue.pollFirst(200, TimeUnit.MILLISECONDS);
                if (head == null) {
                    continue;
                }
                busy = true;
                queue.offerFirst(head); // stays at the head until applied, so order survives a retry
                drain();
                backoffMs = 100;
            } catch (InterruptedException e) {
                if (closing) {
                    break;
                }
            } catch (RuntimeException | SQLException e) {
                if (closing && !queue.isEmpty() && (System.nanoTime() > closeDeadline)) {
                    break;
                }
                markDown(e);
                retries.increment();
                sleepQuietly(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            } finally {
                busy = false;
            }
        }
        Write w;
        while ((w = queue.pollFirst()) != null) {
            loseWrite(w, "pending at shutdown");
        }
    }

    /** Applies writes from the head on one connection until the queue is empty or a write fails. */
    private void drain() throws SQLException {
        try (Connection c = repo.dataSource().getConnection()) {
            markUp();
            Write w;
            while ((w = queue.peekFirst()) != null) {
                try {
                    w.sql().apply(repo, c);
                } catch (SQLException e) {
                    if (isTransient(e, c)) {
                        throw e;
                    }
                    if (++headFailures >= MAX_ATTEMPTS_NON_TRANSIENT) {
                        queue.pollFirst();
                        headFailures = 0;
                        loseWrite(w, e.getSQLState() + " " + e.getMessage());
                        continue;
                    }
                    throw e;
                }
                queue.pollFirst();
                headFailures = 0;
                written.increment();
            }
        }
    }

    /** A broken connection (SQLSTATE class 08) or one that no longer validates means: retry later. */
    private static boolean isTransient(SQLException e, Connection c) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57") || state.startsWith("53"))) {
            return true;
        }
        try {
            return !c.isValid(1);
        } catch (SQLException ignored) {
            return true;
        }
    }

    private void markUp() {
        if (!dbUp) {
            dbUp = true;
            log.info("calllog.db_up pending={}", queue.size());
        }
    }

    private void markDown(Exception e) {
        if (dbUp || !migrated) {
            log.warn("calllog.db_unavailable pending={} error=\"{}\" (writes are queued and retried)", queue.size(),
                    e.getMessage());
        }
        dbUp = false;
    }

    private void loseWrite(Write w, String why) {
        lost.increment();
        long n = lostCount.incrementAndGet();
        // One line per loss, but a dead database with a full queue must not flood the log.
        if (n <= 100 || n % 1000 == 0) {
            log.error("calllog.write_lost callId={} write={} reason=\"{}\" lostTotal={}", w.callId(), w.kind(), why, n);
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting writes, gives the writer {@code grace} to flush, then counts what is left as lost. */
    public void close(Duration grace) {
        closeDeadline = System.nanoTime() + grace.toNanos();
        closing = true;
        try {
            writer.join(grace.plusMillis(500));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
