package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write the call log reports applied is on the embedded database's file the moment the process dies: H2 keeps
 * committed changes in memory for up to its write delay (by default tens of milliseconds went missing after a halt
 * right behind the commit), so a kill -9 just after a call's rows were written used to take them with it.
 */
class EmbeddedDatabaseKillTest {
    static final int EVENTS = 50;

    @TempDir
    Path dir;

    @Test
    void writesAppliedJustBeforeAHaltAreStillThereAfterIt() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("wavoice");
        try (Database db = new Database(url)) {
            db.migrate(); // closed cleanly: the schema is on disk before any halt
        }
        for (int round = 0; round < 3; round++) {
            String callId = "wacid.HALT-" + round;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), WriteThenHalt.class.getName(), url,
                    callId).redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(out).isEqualTo(WriteThenHalt.HALT_STATUS);
            assertThat(out).contains("applied " + EVENTS);
            try (Database db = new Database(url)) {
                List<CallEventRecord> events = new CallLogRepository(db.dataSource()).events(callId);
                assertThat(events).as("round %d: every event the log applied before the halt", round).hasSize(EVENTS);
            }
        }
    }

    /** The process that dies: writes one call's events, waits until the log says they are applied, halts. */
    public static final class WriteThenHalt {
        static final int HALT_STATUS = 137;

        public static void main(String[] args) throws Exception {
            Database db = new Database(args[0]);
            QueuedCallLog log = new QueuedCallLog(new CallLogRepository(db.dataSource()), db::migrate, 1000,
                    new SimpleMeterRegistry()).start();
            if (!log.awaitDrained(Duration.ofSeconds(30))) {
                throw new IllegalStateException("no schema");
            }
            List<CallEventRecord> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                events.add(CallEventRecord.of(args[1], "test.event", Integer.toString(i)));
            }
            events.forEach(log::event);
            if (!log.awaitDrained(Duration.ofSeconds(30))) {
                throw new IllegalStateException("not applied");
            }
            System.out.println("applied " + EVENTS);
            System.out.flush();
            Runtime.getRuntime().halt(HALT_STATUS); // as kill -9: no shutdown hook closes the database
        }
    }
}
