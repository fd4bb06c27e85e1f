package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.testsupport.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wavoice serve} in a process of its own, with live calls from Pion edges, killed with SIGKILL (no shutdown
 * hook, no drain) and started again on the same database under the same instance id: the calls that were live end
 * {@code server_restart}, Graph hears one {@code terminate} for each (not one more on a second restart), every row
 * and event written before the kill is still there as it was, and the restarted process answers new calls.
 */
@Timeout(240)
class CrashRecoveryTest {
    static final int LIVE_CALLS = 3;
    /** The columns ending a call writes; every other column of a row written before the kill must stay as it was. */
    static final Set<String> END_COLUMNS = Set.of("state", "ended_at", "end_reason", "end_detail", "duration_ms");
    static final Duration T = CrashFixture.T;

    @TempDir
    Path dir;
    CrashFixture fx;

    @BeforeEach
    void start() throws Exception {
        fx = new CrashFixture(dir, "crash-recovery-app-secret");
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    @Test
    void liveCallsSurviveAKillOnTheEmbeddedDatabase() throws Exception {
        // AUTO_SERVER lets this test read the file while the serve process holds it (over loopback TCP).
        killAndRestart("h2", "jdbc:h2:file:" + dir.resolve("wavoice") + ";AUTO_SERVER=TRUE");
    }

    @Test
    void liveCallsSurviveAKillOnPostgres() throws Exception {
        try (PostgresServer pg = PostgresServer.start()) {
            killAndRestart("postgresql", pg.jdbcUrl());
        }
    }

    private void killAndRestart(String kind, String dbUrl) throws Exception {
        String instanceId = "crash-" + Long.toHexString(System.nanoTime()).substring(8);
        long t0 = System.nanoTime();
        ServeProcess first = fx.start(instanceId, dbUrl);
        List<String> live = new ArrayList<>();
        for (int i = 0; i < LIVE_CALLS; i++) {
            String id = "wacid.CRASH-" + kind + "-" + i;
            live.add(id);
            call(first, id).awaitPacketsReceived(25, T); // the echo is flowing both ways
        }
        CallLogSnapshot beforeKill = awaitSnapshot(dbUrl, s -> live.stream().allMatch(id -> s.call(id) != null
                && "CONNECTED".equals(s.call(id).get("state"))
                && s.eventTypes(id).containsAll(List.of("webhook.connect", "media.connected", "graph.accept"))));
        long callsUpMs = ms(t0);

        long killedAt = System.nanoTime();
        first.kill();
        assertThat(first.process.isAlive()).isFalse();
        CallLogSnapshot afterKill = CallLogSnapshot.read(dbUrl);
        assertThat(afterKill.tables()).as("what the database held at the kill is what it holds after it")
                .isEqualTo(beforeKill.tables());
        assertThat(fx.graph.requests(r -> "terminate".equals(r.action()))).isEmpty();

        ServeProcess second = fx.start(instanceId, dbUrl);
        long restartReadyMs = ms(killedAt);
        CallLogSnapshot afterRestart = awaitSnapshot(dbUrl, s -> live.stream()
                .allMatch(id -> "ENDED".equals(s.call(id).get("state")) && s.eventTypes(id).contains("graph.terminate")));
        long callsClosedMs = ms(killedAt);
        for (String id : live) {
            assertThat(afterRestart.call(id).get("end_reason")).isEqualTo("server_restart");
            assertThat(afterRestart.eventTypes(id)).contains("call.ended");
            assertThat(terminates(id)).as("%s: Graph told once", id).isEqualTo(1);
        }
        assertUnchanged(beforeKill, afterRestart);

        // The restarted process answers a new call as usual, then is killed with it up in turn.
        String next = "wacid.CRASH-" + kind + "-after-restart";
        call(second, next).awaitPacketsReceived(25, T);
        CallLogSnapshot beforeSecondKill = awaitSnapshot(dbUrl, s -> s.call(next) != null
                && "CONNECTED".equals(s.call(next).get("state")) && s.eventTypes(next).contains("graph.accept"));
        second.kill();
        ServeProcess third = fx.start(instanceId, dbUrl);
        CallLogSnapshot afterSecondRestart = awaitSnapshot(dbUrl,
                s -> "ENDED".equals(s.call(next).get("state")) && s.eventTypes(next).contains("graph.terminate"));
        assertThat(afterSecondRestart.call(next).get("end_reason")).isEqualTo("server_restart");
        assertThat(terminates(next)).isEqualTo(1);
        for (String id : live) {
            assertThat(terminates(id)).as("%s: not told again by the second restart", id).isEqualTo(1);
        }
        assertUnchanged(beforeSecondKill, afterSecondRestart);
        assertUnchanged(beforeKill, afterSecondRestart);
        third.awaitReady(fx.http, T);

        System.out.printf("crash-recovery %s: %d calls up in %d ms; rows before kill %s; after kill %s;"
                + " restarted and ready %d ms after the kill; calls closed %d ms after the kill; after restart %s;"
                + " after second restart %s; Graph terminates %d%n", kind, LIVE_CALLS, callsUpMs, beforeKill.counts(),
                afterKill.counts(), restartReadyMs, callsClosedMs, afterRestart.counts(),
                afterSecondRestart.counts(), fx.graph.requests(r -> "terminate".equals(r.action())).size());
    }

    /** Every event row is still there unchanged; call rows differ at most in the columns ending them writes. */
    static void assertUnchanged(CallLogSnapshot before, CallLogSnapshot after) {
        for (String table : CallLogSnapshot.TABLES.keySet()) {
            Map<String, Map<String, String>> now = after.rows(table);
            before.rows(table).forEach((key, row) -> {
                assertThat(now).as("%s row %s survives", table, key).containsKey(key);
                if (table.equals("calls")) {
                    row.forEach((column, value) -> {
                        if (!END_COLUMNS.contains(column)) {
                            assertThat(now.get(key).get(column)).as("calls %s.%s", key, column).isEqualTo(value);
                        }
                    });
                } else {
                    assertThat(now.get(key)).as("%s row %s", table, key).isEqualTo(row);
                }
            });
        }
    }

    /** A call from a Pion edge sending a minute of frames, echoed back as they are. */
    private PionPeer call(ServeProcess serve, String callId) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            frames.add(("\u00f8caller-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve(callId + ".opus");
        OpusStreamFile.write(send, frames);
        PionPeer edge = fx.edge(PionPeer.Options.edge().withSendOpusFile(send).withDuration(Duration.ofSeconds(90)));
        fx.post(serve, fx.connectWebhook(callId, edge));
        fx.answerEdge(callId, edge);
        return edge;
    }

    private long terminates(String callId) {
        return fx.terminates(callId);
    }

    private static CallLogSnapshot awaitSnapshot(String dbUrl, Predicate<CallLogSnapshot> done) {
        return CrashFixture.awaitSnapshot(dbUrl, done);
    }

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
