package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a kill -9 could lose that the database never saw: Meta does not deliver an acknowledged webhook again, and
 * the rows a webhook causes are queued for the call-log writer's next batch. Measured before the fix: a terminate's
 * rows became readable 13-34 ms after its 200, and a process killed at the 200 lost the hang-up (the restart ended
 * the call {@code server_restart} and told Graph to terminate a call that was over). Now the 200 comes after the
 * rows: they are readable the moment it arrives, and a kill right then loses nothing.
 */
@Timeout(180)
class AcknowledgedWebhookKillTest {
    static final Duration T = CrashFixture.T;

    @TempDir
    Path dir;
    CrashFixture fx;
    /** How long the last webhook took to be answered. */
    long ackMillis;

    @BeforeEach
    void start() throws Exception {
        fx = new CrashFixture(dir, "acknowledged-kill-app-secret");
    }

    @AfterEach
    void stop() throws Exception {
        fx.close();
    }

    @Test
    void aWebhookAnsweredJustBeforeTheKillIsInTheDatabase() throws Exception {
        String dbUrl = "jdbc:h2:file:" + dir.resolve("wavoice") + ";AUTO_SERVER=TRUE";
        String instanceId = "acked-" + Long.toHexString(System.nanoTime()).substring(8);
        ServeProcess serve = fx.start(instanceId, dbUrl);
        List<Boolean> connectRowAtAck = new ArrayList<>();
        String measured = "wacid.ACKED-measured";
        String killed = "wacid.ACKED-killed";
        try (Connection db = DriverManager.getConnection(dbUrl, "sa", "")) {
            for (String id : List.of(measured, killed, "wacid.ACKED-warm")) {
                connectRowAtAck.add(call(serve, id, db));
            }
            // A caller hangs up: is the hang-up readable when Meta gets its 200?
            long acked = postAndTime(serve, TestServer.terminateWebhook(measured, "COMPLETED", 4L));
            boolean terminateAtAck = readable(db, measured, "webhook.terminate");
            boolean endedAtAck = readable(db, measured, "call.ended");
            long ackMs = ackMillis;
            System.out.printf("rows readable at the 200: connect webhook -> webhook.connect %s; terminate webhook"
                    + " (answered in %d ms) -> webhook.terminate %s, call.ended %s; load %s%n", connectRowAtAck,
                    ackMs, terminateAtAck, endedAtAck, loadAverage());
            assertThat(connectRowAtAck).containsOnly(true);
            assertThat(terminateAtAck).isTrue();
            assertThat(endedAtAck).isTrue();
        }

        // The next caller hangs up and the process is killed the moment Meta has its 200.
        long acked = postAndTime(serve, TestServer.terminateWebhook(killed, "COMPLETED", 6L));
        long killedAfterAckMs = (System.nanoTime() - acked) / 1_000_000; // when SIGKILL goes out
        serve.kill();
        CallLogSnapshot atKill = CallLogSnapshot.read(dbUrl);
        boolean terminateWasDurable = atKill.eventTypes(killed).contains("webhook.terminate");

        fx.start(instanceId, dbUrl);
        CallLogSnapshot after = CrashFixture.awaitSnapshot(dbUrl, s -> "ENDED".equals(s.call(killed).get("state"))
                && "ENDED".equals(s.call("wacid.ACKED-warm").get("state")));
        String reason = after.call(killed).get("end_reason");
        long terminates = fx.terminates(killed);
        System.out.printf("killed %d ms after the terminate's 200: webhook.terminate durable=%s; after the restart"
                + " the call ended %s (%s), Graph terminate sent %d time(s) for a call the caller had already ended;"
                + " events %s%n", killedAfterAckMs, terminateWasDurable, reason, after.call(killed).get("end_detail"),
                terminates, after.eventTypes(killed));
        assertThat(after.call("wacid.ACKED-warm").get("end_reason")).isEqualTo("server_restart");
        assertThat(terminateWasDurable).as("the hang-up Meta was told we took is in the database").isTrue();
        assertThat(reason).isEqualTo("caller_hangup");
        assertThat(after.call(killed).get("duration_ms")).isEqualTo("6000");
        assertThat(terminates).as("nothing to tell Graph about a call the caller ended").isZero();
        CrashRecoveryTest.assertUnchanged(atKill, after);
    }

    /** Connects a call from a Pion edge; returns whether its webhook.connect row was readable at the 200. */
    private boolean call(ServeProcess serve, String callId, Connection db) throws Exception {
        PionPeer edge = fx.edge(PionPeer.Options.edge().withDuration(Duration.ofSeconds(90)));
        long acked = postAndTime(serve, fx.connectWebhook(callId, edge));
        boolean atAck = readable(db, callId, "webhook.connect");
        fx.answerEdge(callId, edge);
        awaitDurable(db, callId, "graph.accept", acked);
        return atAck;
    }

    /** Posts a signed webhook, checks the 200, and returns when it arrived (nanoTime). */
    private long postAndTime(ServeProcess serve, String body) throws Exception {
        long sent = System.nanoTime();
        fx.post(serve, body);
        long at = System.nanoTime();
        ackMillis = (at - sent) / 1_000_000;
        return at;
    }

    /** One look, no waiting: is an event of that type readable now? */
    private static boolean readable(Connection db, String callId, String type) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT COUNT(*) FROM call_events WHERE call_id=? AND type=?")) {
            q.setString(1, callId);
            q.setString(2, type);
            return count(q) > 0;
        }
    }

    /** Polls (every ms) until an event of that type is readable; returns ms since {@code sinceNanos}. */
    private static long awaitDurable(Connection db, String callId, String type, long sinceNanos) throws Exception {
        try (PreparedStatement q = db.prepareStatement(
                "SELECT COUNT(*) FROM call_events WHERE call_id=? AND type=?")) {
            q.setString(1, callId);
            q.setString(2, type);
            await().atMost(T).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).until(() -> count(q) > 0);
        }
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }

    private static long count(PreparedStatement q) throws SQLException {
        try (ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String loadAverage() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }
}
