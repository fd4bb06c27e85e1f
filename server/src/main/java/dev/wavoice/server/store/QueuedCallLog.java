package dev.wavoice.server.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call log as the call path sees it: every write is queued and returns at once; one writer thread applies
 * them in order and, when the database is down or slow, keeps retrying the head of the queue with backoff. A
 * write is lost only when the queue is full, when it keeps failing for a reason retrying cannot fix, or when it
 * is still pending at shutdown; each loss is counted ({@code wavoice_calllog_writes_lost_total}) and logged.
 *
 * <p>A call writes a dozen rows in its first hundred milliseconds (webhook, answer, Graph requests, connected),
 * so the writer lingers briefly after the first write of a quiet spell and then applies what has queued in one
 * transaction, its statements prepared once: the per-row cost of a commit and a prepare is paid once per drain.
 * A batch that fails for a reason other than a lost connection is rolled back and applied one write at a time,
 * so one bad row cannot take its neighbours with it.
 */
public final class QueuedCallLog implements CallLog, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueuedCallLog.class);
    private static final int MAX_ATTEMPTS_NON_TRANSIENT = 3;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** How long the writer waits after the first write of a quiet spell so that the rest of a burst joins it. */
    static final Duration DEFAULT_LINGER = Duration.ofMillis(20);
    static final int DEFAULT_MAX_BATCH = 256;

    /** One SQL write against an open connection; each is idempotent so a retry cannot duplicate a row. */
    @FunctionalInterface
    interface SqlWrite {
        void apply(CallLogRepository repo, StatementCache s) throws SQLException;
    }

    /** One queued write, with what the loss log line needs to say which call it belonged to. */
    record Write(String callId, String kind, SqlWrite sql) {}

    private final CallLogRepository repo;
    private final Runnable migrate;
    private final LinkedBlockingDeque<Write> queue;
    private final int maxBatch;
    private final long lingerNanos;
    private final Thread writer;
    private final Counter written;
    private final Counter lost;
    private final Counter retries;
    private final DistributionSummary batchSizes;
    private final AtomicLong lostCount = new AtomicLong();
    /** Guards {@link #acceptedWrites}: a write's number and its place in the queue must agree. */
    private final Object accepting = new Object();
    private long acceptedWrites;
    /** Writes taken off the queue, applied or given up; notified on so a waiter for durability wakes. */
    private final Object settling = new Object();
    private volatile long settledWrites;
    /** Set when a webhook waits for its rows: the writer cuts its linger short rather than make Meta wait for it. */
    private volatile boolean awaited;
    private volatile boolean migrated;
    private volatile boolean dbUp;
    private volatile boolean closing;
    private volatile boolean busy;
    private volatile long closeDeadline = Long.MAX_VALUE;
    /** Consecutive non-transient failures of the head write (writer thread only). */
    private int headFailures;
    /** Writes still to apply one at a time after a batch failed (writer thread only). */
    private int singlesLeft;
    private final ArrayList<Write> batch = new ArrayList<>();

    /**
     * @param migrate runs the schema migrations; retried by the writer until it succeeds, so the service starts
     *     (and takes calls) while the database is still coming up
     */
    public QueuedCallLog(CallLogRepository repo, Runnable migrate, int capacity, MeterRegistry metrics) {
        this(repo, migrate, capacity, DEFAULT_MAX_BATCH, DEFAULT_LINGER, metrics);
    }

    /**
     * @param maxBatch writes applied in one transaction at most (1: every write commits on its own)
     * @param linger   how long a quiet writer waits for the rest of a burst before it applies the first write
     */
    public QueuedCallLog(CallLogRepository repo, Runnable migrate, int capacity, int maxBatch, Duration linger,
            MeterRegistry metrics) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        }
        this.repo = repo;
        this.migrate = migrate;
        this.queue = new LinkedBlockingDeque<>(capacity);
        this.maxBatch = maxBatch;
        this.lingerNanos = linger.toNanos();
        this.written = metrics.counter("wavoice.calllog.writes", "result", "written");
        this.lost = Counter.builder("wavoice.calllog.writes.lost")
                .description("call-log writes given up (queue full, permanent error, or pending at shutdown)")
                .register(metrics);
        this.retries = metrics.counter("wavoice.calllog.writes", "result", "retried");
        this.batchSizes = DistributionSummary.builder("wavoice.calllog.batch.writes")
                .description("writes applied per database transaction")
                .register(metrics);
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
        enqueue(new Write(call.callId(), "call", (repo, s) -> repo.saveCall(s, call)));
    }

    @Override
    public void event(CallEventRecord event) {
        enqueue(new Write(event.callId(), "event", (repo, s) -> repo.insertEvent(s, event)));
    }

    @Override
    public void transcript(TranscriptRecord transcript) {
        enqueue(new Write(transcript.callId(), "transcript", (repo, s) -> repo.insertTranscript(s, transcript)));
    }

    @Override
    public void usage(UsageRecord usage) {
        enqueue(new Write(usage.callId(), "usage", (repo, s) -> repo.insertUsage(s, usage)));
    }

    @Override
    public void recording(RecordingRecord recording) {
        enqueue(new Write(recording.callId(), "recording", (repo, s) -> repo.saveRecording(s, recording)));
    }

    private void enqueue(Write w) {
        boolean queued;
        synchronized (accepting) {
            queued = !closing && queue.offerLast(w);
            if (queued) {
                acceptedWrites++;
            }
        }
        if (!queued) {
            loseWrite(w, closing ? "closing" : "queue full");
        }
    }

    /** How many writes have been queued so far: a mark for {@link #awaitSettled}. */
    public long acceptedWrites() {
        synchronized (accepting) {
            return acceptedWrites;
        }
    }

    /**
     * Waits until the first {@code mark} writes queued are committed (or given up, which is counted and logged);
     * false on timeout. The writer applies in queue order, so every write queued before the mark was taken is in.
     */
    public boolean awaitSettled(long mark, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (settledWrites < mark) {
            awaited = true;
            LockSupport.unpark(writer);
        }
        synchronized (settling) {
            while (settledWrites < mark) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                settling.wait(left);
            }
        }
        return true;
    }

    private void settled(int writes) {
        synchronized (settling) {
            settledWrites += writes;
            settling.notifyAll();
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

    /** Waits for the rest of a burst, but not while a webhook's 200 waits for what has queued. */
    private void linger() throws InterruptedException {
        long until = System.nanoTime() + lingerNanos;
        long left;
        while (!awaited && (left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        awaited = false;
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
                if (lingerNanos > 0 && queue.size() < maxBatch && !closing) {
                    linger();
                }
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
            settled(1);
        }
    }

    /** Applies writes from the head on one connection until the queue is empty or a write fails. */
    private void drain() throws SQLException {
        try (Connection c = repo.dataSource().getConnection(); StatementCache s = new StatementCache(c)) {
            markUp();
            while (!queue.isEmpty()) {
                if (singlesLeft > 0 || maxBatch == 1 || !applyBatch(s)) {
                    applyHead(s);
                }
            }
        }
    }

    /**
     * Applies up to {@code maxBatch} writes from the head in one transaction. False when the batch failed for a
     * reason other than the connection (rolled back, and the writes are then applied one at a time); a lost
     * connection is thrown, the writes staying queued for the retry.
     */
    private boolean applyBatch(StatementCache s) throws SQLException {
        batch.clear();
        for (Write w : queue) {
            batch.add(w);
            if (batch.size() == maxBatch) {
                break;
            }
        }
        if (batch.size() < 2) {
            return false;
        }
        Connection c = s.connection();
        c.setAutoCommit(false);
        try {
            for (Write w : batch) {
                w.sql().apply(repo, s);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            if (e instanceof SQLException sql && isTransient(sql, c)) {
                throw sql;
            }
            singlesLeft = batch.size();
            return false;
        } finally {
            c.setAutoCommit(true);
        }
        for (int i = 0; i < batch.size(); i++) {
            queue.pollFirst();
        }
        settled(batch.size());
        headFailures = 0;
        written.increment(batch.size());
        batchSizes.record(batch.size());
        batch.clear();
        return true;
    }

    /** Applies the head write on its own (auto-commit), giving up on it after repeated non-transient failures. */
    private void applyHead(StatementCache s) throws SQLException {
        Write w = queue.peekFirst();
        try {
            w.sql().apply(repo, s);
        } catch (SQLException e) {
            if (isTransient(e, s.connection())) {
                throw e;
            }
            if (++headFailures < MAX_ATTEMPTS_NON_TRANSIENT) {
                throw e;
            }
            headApplied();
            loseWrite(w, e.getSQLState() + " " + e.getMessage());
            return;
        }
        headApplied();
        written.increment();
        batchSizes.record(1);
    }

    private void headApplied() {
        queue.pollFirst();
        settled(1);
        headFailures = 0;
        if (singlesLeft > 0) {
            singlesLeft--;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // a broken connection rolls back by itself
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
