package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.OpusStreamFile;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.PostgresServer;
import dev.wavoice.server.testsupport.TestServer;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    static final String SECRET = "crash-recovery-app-secret";
    static final Duration T = Duration.ofSeconds(30);
    static final int LIVE_CALLS = 3;
    /** The columns ending a call writes; every other column of a row written before the kill must stay as it was. */
    static final Set<String> END_COLUMNS = Set.of("state", "ended_at", "end_reason", "end_detail", "duration_ms");

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
        ServeProcess first = start(instanceId, dbUrl);
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
        assertThat(graph.requests(r -> "terminate".equals(r.action()))).isEmpty();

        ServeProcess second = start(instanceId, dbUrl);
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
        ServeProcess third = start(instanceId, dbUrl);
        CallLogSnapshot afterSecondRestart = awaitSnapshot(dbUrl,
                s -> "ENDED".equals(s.call(next).get("state")) && s.eventTypes(next).contains("graph.terminate"));
        assertThat(afterSecondRestart.call(next).get("end_reason")).isEqualTo("server_restart");
        assertThat(terminates(next)).isEqualTo(1);
        for (String id : live) {
            assertThat(terminates(id)).as("%s: not told again by the second restart", id).isEqualTo(1);
        }
        assertUnchanged(beforeSecondKill, afterSecondRestart);
        assertUnchanged(beforeKill, afterSecondRestart);
        third.awaitReady(http, T);

        System.out.printf("crash-recovery %s: %d calls up in %d ms; rows before kill %s; after kill %s;"
                + " restarted and ready %d ms after the kill; calls closed %d ms after the kill; after restart %s;"
                + " after second restart %s; Graph terminates %d%n", kind, LIVE_CALLS, callsUpMs, beforeKill.counts(),
                afterKill.counts(), restartReadyMs, callsClosedMs, afterRestart.counts(),
                afterSecondRestart.counts(), graph.requests(r -> "terminate".equals(r.action())).size());
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

    private ServeProcess start(String instanceId, String dbUrl) throws Exception {
        ServeProcess p = ServeProcess.start(instanceId, dir, Map.of("WAVOICE_DB_URL", dbUrl,
                "WHATSAPP_APP_SECRET", SECRET, "WHATSAPP_ACCESS_TOKEN", "EAAG-crash",
                "WHATSAPP_GRAPH_URL", graph.url().toString(), "WAVOICE_AGENT", "echo"));
        processes.add(p);
        p.awaitReady(http, T);
        return p;
    }

    /** A call from a Pion edge as WhatsApp's media edge, its connect webhook posted to {@code serve}. */
    private PionPeer call(ServeProcess serve, String callId) throws Exception {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 3000; i++) { // a minute of 20 ms frames, echoed back as they are
            frames.add(("\u00f8caller-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve(callId + ".opus");
        OpusStreamFile.write(send, frames);
        PionPeer edge = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(send).withDuration(Duration.ofSeconds(90)));
        edges.add(edge);
        String body = TestServer.connectWebhook(callId, "1764003000", v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", edge.offer(T));
            return v;
        });
        assertThat(post(serve.uri("/webhook"), body)).isEqualTo(200);
        FakeGraphApi.Request preAccept = await().atMost(T).until(() -> graph.requests(r -> callId.equals(r.callId())
                && "pre_accept".equals(r.action())).stream().findFirst().orElse(null), r -> r != null);
        edge.sendAnswer(preAccept.sdp());
        edge.awaitConnected(T);
        return edge;
    }

    int post(URI url, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private long terminates(String callId) {
        return graph.requests(r -> callId.equals(r.callId()) && "terminate".equals(r.action())).size();
    }

    static CallLogSnapshot awaitSnapshot(String dbUrl, Predicate<CallLogSnapshot> done) {
        return await().atMost(T).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> CallLogSnapshot.read(dbUrl), done);
    }

    private static long ms(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1_000_000;
    }
}
