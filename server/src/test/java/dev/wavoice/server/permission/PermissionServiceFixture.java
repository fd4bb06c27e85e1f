package dev.wavoice.server.permission;

import static dev.wavoice.server.permission.PermissionFixtures.JSON;
import static dev.wavoice.server.permission.PermissionFixtures.PHONE_NUMBER_ID;
import static dev.wavoice.server.permission.PermissionFixtures.value;
import static dev.wavoice.server.permission.PermissionFixtures.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.store.Database;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.RetryPolicy;
import dev.wavoice.server.whatsapp.WebhookPayload;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The permission service against a fake Graph and an H2 database, on a clock the test moves. The clock starts an
 * hour after {@code inbound-text.json} was sent, so that message is inside the customer-service window.
 */
abstract class PermissionServiceFixture {
    static final String TOKEN = "EAAG-permission-test-token";
    static final Instant NOW = Instant.ofEpochSecond(1764003900);

    @TempDir
    Path dir;
    Database database;
    FakeGraphApi graph;
    GraphApiClient client;
    CallPermissionStore store;
    SimpleMeterRegistry metrics;
    MutableClock clock;
    CallPermissionService service;

    @BeforeEach
    void open() throws Exception {
        database = new Database("jdbc:h2:file:" + dir.resolve("permissions"));
        database.migrate();
        graph = new FakeGraphApi();
        metrics = new SimpleMeterRegistry();
        client = new GraphApiClient(graph.url(), "v23.0", Secret.of(TOKEN), Duration.ofSeconds(1),
                Duration.ofSeconds(2), new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20)),
                WavoiceServer.objectMapper(), metrics);
        store = new CallPermissionStore(database.dataSource(), WavoiceServer.objectMapper());
        clock = new MutableClock(NOW);
        service = serviceWith(PermissionSettings.DEFAULT);
    }

    @AfterEach
    void close() {
        graph.close();
        database.close();
    }

    CallPermissionService serviceWith(PermissionSettings settings) {
        return new CallPermissionService(store, client, settings, WavoiceServer.objectMapper(), clock, metrics);
    }

    /** Hands the service the single message of a webhook fixture, as the webhook processor would. */
    void reply(String fixture, String messageId, Instant sentAt) throws Exception {
        JsonNode value = value(webhook(fixture, messageId, sentAt));
        WebhookPayload.MessagesValue parsed = JSON.treeToValue(value, WebhookPayload.MessagesValue.class);
        service.onMessage(PHONE_NUMBER_ID, parsed, parsed.messageList().getFirst());
    }

    /** The user wrote to the business at {@code sentAt} ({@code inbound-text.json}). */
    void inbound(String messageId, Instant sentAt) throws Exception {
        reply("inbound-text.json", messageId, sentAt);
    }

    long permissionChecks() {
        return graph.requests(FakeGraphApi.Request::isPermissionCheck).size();
    }

    long messagesSent() {
        return graph.requests(FakeGraphApi.Request::isMessage).size();
    }
}
