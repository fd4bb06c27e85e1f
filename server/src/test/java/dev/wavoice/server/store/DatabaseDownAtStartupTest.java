package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.call.CallMedia;
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
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL down when the service starts: it starts anyway, says so on {@code /ready} (503, database down, the
 * schema not yet in place), takes webhooks and queues their call-log writes; once the database comes up the
 * schema is migrated, the queue is flushed with nothing lost, and {@code /ready} turns 200.
 */
class DatabaseDownAtStartupTest {
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

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
