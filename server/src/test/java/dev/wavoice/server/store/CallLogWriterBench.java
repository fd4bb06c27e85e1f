package dev.wavoice.server.store;

import dev.wavoice.server.testsupport.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The call-log writer's CPU per row, one row per transaction against batches per drain, in one run: calls start at
 * a steady rate and each writes what a real call writes (three call-row saves, eleven events and a usage row) in
 * the bursts a real call writes them. Not a test: {@code java -cp … CallLogWriterBench [calls] [callsPerSecond]}.
 */
public final class CallLogWriterBench {
    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("calllog-bench");
        try (PostgresServer pg = PostgresServer.start()) {
            String h2 = "jdbc:h2:file:" + dir.resolve("calls") + ";DB_CLOSE_ON_EXIT=FALSE";
            for (int round = 1; round <= 2; round++) {
                for (String url : new String[] {h2, pg.jdbcUrl()}) {
                    run(url, calls, rate, 1, Duration.ZERO, round);
                    run(url, calls, rate, QueuedCallLog.DEFAULT_MAX_BATCH, QueuedCallLog.DEFAULT_LINGER, round);
                }
            }
        }
    }

    private static void run(String url, int calls, int rate, int maxBatch, Duration linger, int round)
            throws Exception {
        var metrics = new SimpleMeterRegistry();
        try (Database db = new Database(url)) {
            CallLogRepository repo = new CallLogRepository(db.dataSource());
            QueuedCallLog log = new QueuedCallLog(repo, db::migrate, 100_000, maxBatch, linger, metrics).start();
            log.awaitDrained(Duration.ofSeconds(30));
            long writer = writerThreadId();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getThreadCpuTime(writer);
            long tx0 = transactions(metrics);
            ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
            long periodMicros = 1_000_000L / rate;
            for (int i = 0; i < calls; i++) {
                String id = "wacid.bench-" + UUID.randomUUID();
                long start = i * periodMicros;
                clock.schedule(() -> ringing(log, id), start, TimeUnit.MICROSECONDS);
                clock.schedule(() -> connected(log, id), start + 60_000, TimeUnit.MICROSECONDS);
                clock.schedule(() -> ended(log, id), start + 2_000_000, TimeUnit.MICROSECONDS);
            }
            clock.shutdown();
            clock.awaitTermination(10, TimeUnit.MINUTES);
            log.awaitDrained(Duration.ofMinutes(1));
            long cpu = threads.getThreadCpuTime(writer) - cpu0;
            long tx = transactions(metrics) - tx0;
            int rows = calls * 15;
            System.out.printf("round %d %-10s maxBatch=%-3d linger=%-4s rows=%d transactions=%d writer CPU %.1f µs/row,"
                    + " %.2f ms/call, lost=%d%n", round, url.startsWith("jdbc:h2") ? "h2" : "postgresql", maxBatch,
                    linger.toMillis() + "ms", rows, tx, cpu / 1e3 / rows, cpu / 1e6 / calls, log.lostWrites());
            log.close();
        }
    }

    private static void ringing(QueuedCallLog log, String id) {
        log.saveCall(row(id, "RINGING", null));
        for (String type : new String[] {"webhook.connect", "sdp.answer", "graph.pre_accept", "agent.opened"}) {
            log.event(id, type, "detail of " + type);
        }
    }

    private static void connected(QueuedCallLog log, String id) {
        log.saveCall(row(id, "CONNECTED", null));
        for (String type : new String[] {"graph.accept", "ice.connected", "dtls.connected", "media.first_audio"}) {
            log.event(id, type, "detail of " + type);
        }
    }

    private static void ended(QueuedCallLog log, String id) {
        for (String type : new String[] {"webhook.terminate", "agent.closed", "call.ended"}) {
            log.event(id, type, "detail of " + type);
        }
        log.usage(new UsageRecord(UUID.randomUUID(), id, Instant.now(), 100, 50, 80, 40));
        log.saveCall(row(id, "ENDED", "caller_hangup"));
    }

    private static CallRecord row(String id, String state, String endReason) {
        Instant now = Instant.now();
        return new CallRecord(id, "USER_INITIATED", "15550002222", null, "Bench", "15550001111", "110000000000001",
                state, "echo", now, null, endReason == null ? null : now, endReason, null, null, "bench");
    }

    private static long transactions(SimpleMeterRegistry metrics) {
        var summary = metrics.find("wavoice.calllog.batch.writes").summary();
        return summary == null ? 0 : summary.count();
    }

    private static long writerThreadId() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("calllog-writer"))
                .filter(Thread::isAlive).findFirst().orElseThrow().threadId();
    }

    private CallLogWriterBench() {}
}
