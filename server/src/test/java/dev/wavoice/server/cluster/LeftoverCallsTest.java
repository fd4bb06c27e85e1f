package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.Database;
import dev.wavoice.server.store.QueuedCallLog;
import dev.wavoice.server.testsupport.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed with calls up leaves their rows open; the next process under the same instance id (the embedded
 * database's only instance, or a pod that kept its name) ends them, telling Graph, and leaves newer rows alone.
 */
class LeftoverCallsTest {
    @TempDir
    Path dir;

    @Test
    void aRestartedInstanceEndsTheCallsItsKilledPredecessorLeftOpen() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("wavoice");
        Instant before = Instant.now().minusSeconds(120);
        try (Database db = new Database(url)) {
            QueuedCallLog log = new QueuedCallLog(new CallLogRepository(db.dataSource()), db::migrate, 100,
                    new SimpleMeterRegistry()).start();
            log.saveCall(new CallRecord("wacid.LEFTOVER", "USER_INITIATED", "15550100001", null, null, "15550001111",
                    "110000000000001", "CONNECTED", "echo", before, before.plusSeconds(1), null, null, null, null,
                    "pod-7"));
            assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
            log.close(Duration.ofSeconds(5));
        }
        try (TestServer t = new TestServer(dir, new CallMedia.Unavailable("no media needed"),
                b -> b.dbUrl(url).instanceId("pod-7"))) {
            CallRecord row = t.awaitCall("wacid.LEFTOVER", c -> c.state().equals("ENDED"));
            assertThat(row.endReason()).isEqualTo("server_restart");
            await().atMost(Duration.ofSeconds(10)).until(() -> t.graph.actions().contains("terminate"));
            assertThat(t.graph.requests(r -> "wacid.LEFTOVER".equals(r.callId()))).singleElement()
                    .satisfies(r -> assertThat(r.action()).isEqualTo("terminate"));
        }
    }
}
