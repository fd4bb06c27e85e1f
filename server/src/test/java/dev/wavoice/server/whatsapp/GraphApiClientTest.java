package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GraphApiClientTest {
    static final String TOKEN = "EAAG-very-secret-access-token-123";
    static final String PHONE_ID = "110000000000001";

    FakeGraphApi fake;
    SimpleMeterRegistry metrics;
    GraphApiClient client;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeGraphApi();
        metrics = new SimpleMeterRegistry();
        client = new GraphApiClient(fake.url(), "v23.0", Secret.of(TOKEN), Duration.ofSeconds(1),
                Duration.ofMillis(500), new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40)),
                new ObjectMapper(), metrics);
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    @Test
    void preAcceptPostsTheAnswerToTheCallsEdgeWithBearerToken() throws Exception {
        client.preAccept(PHONE_ID, "wacid.ABC", "v=0\r\n...");

        FakeGraphApi.Request r = fake.requests().getFirst();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v23.0/" + PHONE_ID + "/calls");
        assertThat(r.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(r.body().path("messaging_product").asText()).isEqualTo("whatsapp");
        assertThat(r.body().path("action").asText()).isEqualTo("pre_accept");
        assertThat(r.body().path("call_id").asText()).isEqualTo("wacid.ABC");
        assertThat(r.body().path("session").path("sdp_type").asText()).isEqualTo("answer");
        assertThat(r.body().path("session").path("sdp").asText()).isEqualTo("v=0\r\n...");
    }

    @Test
    void everyActionHasTheDocumentedShape() throws Exception {
        client.accept(PHONE_ID, "wacid.1", "sdp-a");
        client.reject(PHONE_ID, "wacid.2");
        client.terminate(PHONE_ID, "wacid.3");
        String newCall = client.connect(PHONE_ID, "US.13491208655302741918", "sdp-o", "order-8812");

        assertThat(fake.actions()).containsExactly("accept", "reject", "terminate", "connect");
        var connect = fake.requests().get(3).body();
        assertThat(connect.path("to").asText()).isEqualTo("US.13491208655302741918");
        assertThat(connect.path("session").path("sdp_type").asText()).isEqualTo("offer");
        assertThat(connect.path("biz_opaque_callback_data").asText()).isEqualTo("order-8812");
        assertThat(newCall).isEqualTo("wacid.FAKE-1");
        assertThat(fake.requests().get(1).body().has("session")).isFalse();
    }

    @Test
    void serverErrorsAndRateLimitsAreRetriedThenSucceed() throws Exception {
        fake.then(Reply.graphError(500, 1, null, "An unknown error occurred"),
                Reply.graphError(429, 4, null, "Application request limit reached"),
                Reply.ok());

        client.accept(PHONE_ID, "wacid.R", "sdp");

        assertThat(fake.actions()).containsExactly("accept", "accept", "accept");
        assertThat(metrics.get("wavoice.graph.request").tag("action", "accept").tag("outcome", "ok").timer().count())
                .isEqualTo(1);
        assertThat(metrics.get("wavoice.graph.request").tag("outcome", "http_5xx").timer().count()).isEqualTo(1);
        assertThat(metrics.get("wavoice.graph.request").tag("outcome", "http_429").timer().count()).isEqualTo(1);
    }

    @Test
    void clientErrorsAreNotRetriedAndCarryGraphsErrorFields() {
        fake.then(Reply.graphError(400, 138006, 2494081, "Invalid call id"));

        assertThatThrownBy(() -> client.terminate(PHONE_ID, "wacid.X"))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo(138006);
                    assertThat(e.subcode()).isEqualTo(2494081);
                    assertThat(e.fbtraceId()).isEqualTo("AbCdEfGh123");
                    assertThat(e.type()).isEqualTo("OAuthException");
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("Invalid call id").contains("terminate");
                });
        assertThat(fake.requests()).hasSize(1);
    }

    @Test
    void retriesAreBoundedAndTheLastErrorIsReported() {
        fake.then(Reply.status(503, "upstream down"), Reply.status(503, ""), Reply.status(502, "<html>"),
                Reply.status(500, "{}"), Reply.ok());

        assertThatThrownBy(() -> client.reject(PHONE_ID, "wacid.B"))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(500);
                    assertThat(e.attempts()).isEqualTo(4);
                });
        assertThat(fake.requests()).hasSize(4);
    }

    @Test
    void slowResponsesTimeOutAndAreRetried() throws Exception {
        fake.then(Reply.delayed(Duration.ofSeconds(2)), Reply.ok());

        client.reject(PHONE_ID, "wacid.SLOW");

        assertThat(fake.requests()).hasSize(2);
        assertThat(metrics.get("wavoice.graph.request").tag("outcome", "timeout").timer().count()).isEqualTo(1);
    }

    @Test
    void droppedConnectionsAreRetried() throws Exception {
        fake.then(Reply.dropConnection(), Reply.ok());

        client.accept(PHONE_ID, "wacid.DROP", "sdp");

        assertThat(fake.requests()).hasSize(2);
        assertThat(metrics.get("wavoice.graph.request").tag("outcome", "io_error").timer().count()).isEqualTo(1);
    }

    @Test
    void unreachableGraphFailsWithoutResponseAfterRetries() throws Exception {
        var port = fake.url().getPort();
        fake.close();
        GraphApiClient dead = new GraphApiClient(java.net.URI.create("http://127.0.0.1:" + port), "v23.0",
                Secret.of(TOKEN), Duration.ofMillis(300), Duration.ofMillis(300),
                new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(10)), new ObjectMapper(), metrics);

        assertThatThrownBy(() -> dead.reject(PHONE_ID, "wacid.D"))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.httpStatus()).isZero();
                    assertThat(e.attempts()).isEqualTo(3);
                });
    }

    @Test
    void theTokenNeverAppearsInLogsOrErrors() {
        fake.then(Reply.graphError(500, 1, null, "boom"), Reply.graphError(401, 190, 463, "Error validating access token"));
        try (LogCapture logs = new LogCapture()) {
            assertThatThrownBy(() -> client.accept(PHONE_ID, "wacid.T", "sdp"))
                    .isInstanceOfSatisfying(GraphApiException.class,
                            e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
            assertThat(logs.lines()).isNotEmpty();
            assertThat(logs.all()).doesNotContain(TOKEN).doesNotContain("EAAG");
        }
    }

    @Test
    void missingPhoneNumberIdOrTokenIsAClearErrorWithoutARequest() {
        GraphApiClient noToken = new GraphApiClient(fake.url(), "v23.0", Secret.none(), Duration.ofSeconds(1),
                Duration.ofSeconds(1), RetryPolicy.DEFAULT, new ObjectMapper(), metrics);
        assertThatThrownBy(() -> noToken.reject(PHONE_ID, "wacid.N")).hasMessageContaining("WHATSAPP_ACCESS_TOKEN");
        assertThatThrownBy(() -> client.reject(null, "wacid.N")).hasMessageContaining("WHATSAPP_PHONE_NUMBER_ID");
        assertThat(fake.requests()).isEmpty();
    }
}
