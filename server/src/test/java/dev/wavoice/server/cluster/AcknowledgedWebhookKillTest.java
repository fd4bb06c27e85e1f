package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a kill -9 can lose that the database never saw: Meta gets its 200 as soon as a webhook is verified and
 * parsed, and the call work (and the rows it writes, queued for the call-log writer's next batch) runs after it.
 * This measures that window — from the 200 to the webhook's event being readable in the database — and kills a
 * process the moment it has answered a caller's terminate, to show what the restart then makes of that call.
 */
@Timeout(180)
class AcknowledgedWebhookKillTest {
    static final String SECRET = "acknowledged-kill-app-secret";
    static final Duration T = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    final WebhookSignature signature = new WebhookSignature(SECRET);
    final List<ServeProcess> processes = new ArrayList<>();
    final List<PionPeer> edges = new ArrayList<>();
    FakeGraphApi graph;

    @BeforeEach
    void startGraph() throws Exception {
        PionPeer.binary();
        graph = new FakeGraphApi();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (PionPeer e : edges) {
            e.close();
        }
        for (ServeProcess p : processes) {
            p.close();
        }
        graph.close();
    }

    @Test
    void aTerminateAnsweredJustBeforeTheKillIsLostAndTheRestartEndsTheCallAsItsOwn() throws Exception {
        String dbUrl = "jdbc:h2:file:" + dir.resolve("wavoice") + ";AUTO_SERVER=TRUE";
        String instanceId = "acked-" + Long.toHexString(System.nanoTime()).substring(8);
        ServeProcess serve = start(instanceId, dbUrl);
        List<Long> connectWindowMs = new ArrayList<>();
        String measured = "wacid.ACKED-measured";
        String killed = "wacid.ACKED-killed";
        try (Connection db = DriverManager.getConnection(dbUrl, "sa", "")) {
            for (String id : List.of(measured, killed, "wacid.ACKED-warm")) {
                connectWindowMs.add(call(serve, id, db));
            }
            // A caller hangs up: from Meta's 200 to the hang-up being readable.
            long acked = postAndTime(serve, TestServer.terminateWebhook(measured, "COMPLETED", 4L));
            long eventMs = awaitDurable(db, measured, "webhook.terminate", acked);
            long endedMs = awaitDurable(db, measured, "call.ended", acked);
            System.out.printf("acknowledged-but-not-durable window: connect webhook -> webhook.connect row %s ms;"
                    + " terminate webhook -> webhook.terminate row %d ms, -> call.ended row %d ms; load %s%n",
                    connectWindowMs, eventMs, endedMs, loadAverage());
        }

        // The next caller hangs up and the process is killed the moment Meta has its 200.
        long acked = postAndTime(serve, TestServer.terminateWebhook(killed, "COMPLETED", 6L));
        long killedAfterAckMs = (System.nanoTime() - acked) / 1_000_000; // when SIGKILL goes out
        serve.kill();
        CallLogSnapshot atKill = CallLogSnapshot.read(dbUrl);
        boolean terminateWasDurable = atKill.eventTypes(killed).contains("webhook.terminate");

        start(instanceId, dbUrl);
        CallLogSnapshot after = CrashRecoveryTest.awaitSnapshot(dbUrl, s -> "ENDED".equals(s.call(killed).get("state"))
                && "ENDED".equals(s.call("wacid.ACKED-warm").get("state")));
        String reason = after.call(killed).get("end_reason");
        long terminates = graph.requests(r -> killed.equals(r.callId()) && "terminate".equals(r.action())).size();
        System.out.printf("killed %d ms after the terminate's 200: webhook.terminate durable=%s; after the restart"
                + " the call ended %s (%s), Graph terminate sent %d time(s) for a call the caller had already ended;"
                + " events %s%n", killedAfterAckMs, terminateWasDurable, reason, after.call(killed).get("end_detail"),
                terminates, after.eventTypes(killed));
        assertThat(after.call("wacid.ACKED-warm").get("end_reason")).isEqualTo("server_restart");
        if (terminateWasDurable) {
            assertThat(reason).isEqualTo("caller_hangup");
            assertThat(terminates).isZero();
        } else {
            // The hang-up never reached the database: the restart can only see an open call and ends it as its own.
            assertThat(after.eventTypes(killed)).doesNotContain("webhook.terminate");
            assertThat(reason).isEqualTo("server_restart");
            assertThat(terminates).isEqualTo(1);
        }
        CrashRecoveryTest.assertUnchanged(atKill, after);
    }

    private ServeProcess start(String instanceId, String dbUrl) throws Exception {
        ServeProcess p = ServeProcess.start(instanceId, dir, Map.of("WAVOICE_DB_URL", dbUrl,
                "WHATSAPP_APP_SECRET", SECRET, "WHATSAPP_ACCESS_TOKEN", "EAAG-acked",
                "WHATSAPP_GRAPH_URL", graph.url().toString(), "WAVOICE_AGENT", "echo"));
        processes.add(p);
        p.awaitReady(http, T);
        return p;
    }

    /** Connects a call from a Pion edge; returns the ms from the connect webhook's 200 to its event row. */
    private long call(ServeProcess serve, String callId, Connection db) throws Exception {
        PionPeer edge = PionPeer.start(PionPeer.Options.edge().withDuration(Duration.ofSeconds(90)));
        edges.add(edge);
        String body = TestServer.connectWebhook(callId, "1764003000", v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", edge.offer(T));
            return v;
        });
        long acked = postAndTime(serve, body);
        long windowMs = awaitDurable(db, callId, "webhook.connect", acked);
        FakeGraphApi.Request preAccept = await().atMost(T).until(() -> graph.requests(r -> callId.equals(r.callId())
                && "pre_accept".equals(r.action())).stream().findFirst().orElse(null), r -> r != null);
        edge.sendAnswer(preAccept.sdp());
        edge.awaitConnected(T);
        awaitDurable(db, callId, "graph.accept", acked);
        return windowMs;
    }

    /** Posts a signed webhook, checks the 200, and returns when it arrived (nanoTime). */
    private long postAndTime(ServeProcess serve, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        URI url = serve.uri("/webhook");
        int status = http.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        long at = System.nanoTime();
        assertThat(status).isEqualTo(200);
        return at;
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
