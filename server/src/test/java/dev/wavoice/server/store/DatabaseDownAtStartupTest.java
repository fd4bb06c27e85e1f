package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL down when the service starts: it starts anyway, says so on {@code /ready} (503, database down, the
 * schema not yet in place), takes webhooks and queues their call-log writes; once the database comes up the
 * schema is migrated, the queue is flushed with nothing lost, and {@code /ready} turns 200. Calls are answered
 * meanwhile, audio and all.
 */
class DatabaseDownAtStartupTest {
    static final Duration T = Duration.ofSeconds(20);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theServiceStartsWithoutItsDatabaseAndFlushesTheQueuedRowsWhenItComes() throws Exception {
        try (PostgresServer pg = PostgresServer.start(); FakeGraphApi graph = new FakeGraphApi()) {
            pg.stopServer();
            WavoiceConfig config = WavoiceConfig.builder().httpHost("127.0.0.1").httpPort(0).mediaPort(0)
                    .mediaHost("127.0.0.1").dbUrl(pg.jdbcUrl()).appSecret(TestServer.APP_SECRET)
                    .verifyToken(TestServer.VERIFY_TOKEN).accessToken(TestServer.ACCESS_TOKEN).graphUrl(graph.url())
                    .build();
            try (WavoiceServer server = new WavoiceServer(config,
                    new CallMedia.Unavailable("no media in this test")).start()) {
                URI base = URI.create("http://127.0.0.1:" + server.httpPort());
                HttpResponse<String> notReady = get(base.resolve("/ready"));
                assertThat(notReady.statusCode()).isEqualTo(503);
                JsonNode status = json.readTree(notReady.body());
                assertThat(status.path("database").asText()).isEqualTo("down");
                assertThat(status.path("status").asText()).isEqualTo("starting");

                // A call comes while the database is down: the webhook is answered, its rows wait in the queue.
                byte[] body = TestServer.connectWebhook("wacid.DB-DOWN-1", "1764002000", v -> v)
                        .getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> webhook = http.send(HttpRequest.newBuilder(base.resolve("/webhook"))
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.HEADER, new WebhookSignature(TestServer.APP_SECRET).sign(body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(webhook.statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.callLog().pending() > 0);
                assertThat(get(base.resolve("/ready")).statusCode()).isEqualTo(503);

                pg.startServer();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base.resolve("/ready")).statusCode() == 200);
                assertThat(server.callLog().awaitDrained(Duration.ofSeconds(30))).isTrue();
                assertThat(server.callLog().lostWrites()).isZero();
                CallRecord row = server.repository().findCall("wacid.DB-DOWN-1").orElseThrow();
                assertThat(row.state()).isEqualTo("ENDED"); // no media here: rejected, and that is on the row too
                assertThat(server.repository().events("wacid.DB-DOWN-1")).extracting(CallEventRecord::type)
                        .contains("webhook.connect", "call.ended");
                assertThat(json.readTree(get(base.resolve("/ready")).body()).path("database").asText()).isEqualTo("up");
            }
        }
    }

    /**
     * The same outage with a real call: Pion as WhatsApp's edge sends a tone, the echo agent sends it back. The call is
     * answered and carries audio although nothing can be written; once PostgreSQL starts, the call's row and every
     * one of its events arrive, in the order they happened.
     */
    @Test
    @Timeout(120)
    void aRealCallIsAnsweredAndEchoedWhileTheDatabaseIsDownAndAllItsRowsArriveAfter(@TempDir Path dir) throws Exception {
        PionPeer.binary();
        double hz = TestAudio.randomTone(300, 700);
        Path says = TestAudio.toneFile(dir, hz, 200);
        Path heard = dir.resolve("heard.rec");
        try (PostgresServer pg = PostgresServer.start(); FakeGraphApi graph = new FakeGraphApi()) {
            pg.stopServer();
            WavoiceConfig config = WavoiceConfig.builder().httpHost("127.0.0.1").httpPort(0).mediaPort(0)
                    .mediaHost("127.0.0.1").dbUrl(pg.jdbcUrl()).appSecret(TestServer.APP_SECRET)
                    .verifyToken(TestServer.VERIFY_TOKEN).accessToken(TestServer.ACCESS_TOKEN).graphUrl(graph.url())
                    .agent(AgentKind.ECHO).build();
            try (WavoiceServer server = WavoiceServer.create(config).start();
                 PionPeer edge = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(says).withRecord(heard)
                         .withDuration(Duration.ofSeconds(8)))) {
                URI base = URI.create("http://127.0.0.1:" + server.httpPort());
                assertThat(get(base.resolve("/ready")).statusCode()).isEqualTo(503);

                String callId = "wacid.DB-DOWN-ECHO";
                byte[] connect = TestServer.connectWebhook(callId, "1764002100", v -> {
                    ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", edge.offer(T));
                    return v;
                }).getBytes(StandardCharsets.UTF_8);
                assertThat(post(base, connect).statusCode()).isEqualTo(200);
                await().atMost(T).until(() -> !graph.requests(r -> "pre_accept".equals(r.action())).isEmpty());
                edge.sendAnswer(graph.requests(r -> "pre_accept".equals(r.action())).getFirst().sdp());
                edge.awaitConnected(T);
                await().atMost(T).until(() -> graph.actions().contains("accept"));
                edge.awaitPacketsReceived(100, T); // two seconds of the tone back

                assertThat(post(base, TestServer.terminateWebhook(callId, "COMPLETED", 3L)
                        .getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
                await().atMost(T).until(() -> server.calls().size() == 0);
                edge.requestClose();
                edge.awaitExit(T);
                short[] pcm = TestAudio.decode(edge.recording());
                assertThat(TestAudio.windowsAt(pcm, hz)).as("100 ms windows of the %s Hz tone echoed", hz)
                        .isGreaterThanOrEqualTo(10);
                assertThat(server.callLog().pending()).as("the call's writes, queued").isGreaterThanOrEqualTo(8);
                assertThat(get(base.resolve("/ready")).statusCode()).isEqualTo(503);

                pg.startServer();
                await().atMost(Duration.ofSeconds(30)).until(() -> get(base.resolve("/ready")).statusCode() == 200);
                assertThat(server.callLog().awaitDrained(Duration.ofSeconds(30))).isTrue();
                assertThat(server.callLog().lostWrites()).isZero();
                CallRecord row = server.repository().findCall(callId).orElseThrow();
                assertThat(row.state()).isEqualTo("ENDED");
                assertThat(row.endReason()).isEqualTo("caller_hangup");
                assertThat(row.agent()).isEqualTo("echo");
                assertThat(row.connectedAt()).isNotNull();
                assertThat(row.durationMs()).isEqualTo(3_000L);
                assertThat(server.repository().events(callId)).extracting(CallEventRecord::type).containsExactly(
                        "webhook.connect", "media.answered", "graph.pre_accept", "media.connected", "graph.accept",
                        "webhook.terminate", "call.ended");
            }
        }
    }

    private HttpResponse<String> post(URI base, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/webhook"))
                .header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, new WebhookSignature(TestServer.APP_SECRET).sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
