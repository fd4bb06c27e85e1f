package dev.wavoice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.Fixtures;
import dev.wavoice.server.testsupport.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook as Meta and a user see it, on the production call path with the default (local) agent, which this
 * build does not have yet: a connect is rejected through Graph with its reason stored.
 */
class WebhookEndpointTest {
    static final String FIXTURE_CALL_ID = "wacid.HBgLMTU1NTc2NTQzMjEVAgASGCA0QzFGRTdCMEQ5";

    @TempDir
    Path dir;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        // Webhook handling is under test, not media: every call is refused at once, with a stated reason.
        t = new TestServer(dir, new CallMedia.Unavailable("no media in the webhook tests"), b -> b);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void verificationEchoesTheChallengeOnlyForTheRightToken() throws Exception {
        var ok = t.get("/webhook?hub.mode=subscribe&hub.verify_token=" + TestServer.VERIFY_TOKEN + "&hub.challenge=1158201444");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("1158201444");

        assertThat(t.get("/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1").statusCode()).isEqualTo(403);
        assertThat(t.get("/webhook?hub.mode=unsubscribe&hub.verify_token=" + TestServer.VERIFY_TOKEN + "&hub.challenge=1")
                .statusCode()).isEqualTo(403);
        assertThat(t.get("/webhook").statusCode()).isEqualTo(403);
    }

    @Test
    void signedConnectIsAcknowledgedThenRejectedThroughGraphWithTheReasonStored() throws Exception {
        HttpResponse<String> r = t.postSigned(Fixtures.whatsappText("connect.json"));
        assertThat(r.statusCode()).isEqualTo(200);

        CallRecord row = t.awaitCall(FIXTURE_CALL_ID, c -> c.state().equals("ENDED"));
        assertThat(row.endReason()).isEqualTo("rejected_media_unavailable");
        assertThat(row.endDetail()).contains("no media in the webhook tests");
        assertThat(row.callerPhone()).isEqualTo("15557654321");
        assertThat(row.callerBsuid()).isEqualTo("US.13491208655302741918");
        assertThat(row.callerName()).isEqualTo("Ada Caller");
        assertThat(row.businessNumber()).isEqualTo("15550001111");
        assertThat(row.phoneNumberId()).isEqualTo("110000000000001");
        assertThat(row.direction()).isEqualTo("USER_INITIATED");
        assertThat(row.durationMs()).isZero();

        var reject = t.graph.requests().getFirst();
        assertThat(reject.action()).isEqualTo("reject");
        assertThat(reject.callId()).isEqualTo(FIXTURE_CALL_ID);
        assertThat(reject.path()).isEqualTo("/v23.0/110000000000001/calls");
        assertThat(reject.authorization()).isEqualTo("Bearer " + TestServer.ACCESS_TOKEN);
        assertThat(t.server.repository().events(FIXTURE_CALL_ID)).extracting(CallEventRecord::type)
                .containsExactly("webhook.connect", "graph.reject", "call.ended");
    }

    @Test
    void badOrMissingSignatureGets401AndLeavesNoTrace() throws Exception {
        byte[] body = Fixtures.whatsappText("connect.json").getBytes(StandardCharsets.UTF_8);
        String good = t.sign(body);
        String bad = good.substring(0, good.length() - 1) + (good.endsWith("0") ? "1" : "0");

        assertThat(t.post(body, bad).statusCode()).isEqualTo(401);
        assertThat(t.post(body, null).statusCode()).isEqualTo(401);
        byte[] tampered = Arrays.copyOf(body, body.length);
        tampered[tampered.length - 3] = ' ';
        assertThat(t.post(tampered, good).statusCode()).isEqualTo(401);

        Thread.sleep(200);
        assertThat(t.server.callLog().awaitDrained(Duration.ofSeconds(5))).isTrue();
        assertThat(t.server.repository().countCalls()).isZero();
        assertThat(t.graph.requests()).isEmpty();
        String metrics = t.get("/metrics").body();
        assertThat(metrics).contains("wavoice_webhook_requests_total{result=\"bad_signature\"} 2.0");
        assertThat(metrics).contains("wavoice_webhook_requests_total{result=\"missing_signature\"} 1.0");
    }

    @Test
    void bodiesOverOneMebibyteGet413WithOrWithoutALength() throws Exception {
        byte[] big = new byte[(1 << 20) + 1];
        Arrays.fill(big, (byte) ' ');
        assertThat(t.post(big, t.sign(big)).statusCode()).isEqualTo(413);

        HttpRequest chunked = HttpRequest.newBuilder(t.uri("/webhook"))
                .header("X-Hub-Signature-256", t.sign(big))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();
        assertThat(HttpClient.newHttpClient().send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(413);

        byte[] exactlyOneMib = new byte[1 << 20];
        Arrays.fill(exactlyOneMib, (byte) ' ');
        exactlyOneMib[0] = '{';
        exactlyOneMib[exactlyOneMib.length - 1] = '}';
        assertThat(t.post(exactlyOneMib, t.sign(exactlyOneMib)).statusCode()).isEqualTo(200);
    }

    @Test
    void malformedJsonWithAValidSignatureGets400() throws Exception {
        assertThat(t.postSigned("{\"object\":\"whatsapp_business_account\",\"entry\":[").statusCode()).isEqualTo(400);
        assertThat(t.postSigned("null").statusCode()).isEqualTo(400);
        assertThat(t.postSigned("[1,2]").statusCode()).isEqualTo(400);
        assertThat(t.postSigned("{\"entry\":7}").statusCode()).isEqualTo(400);
        assertThat(t.get("/metrics").body()).contains("wavoice_webhook_requests_total{result=\"malformed\"} 4.0");
        assertThat(t.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void aRedeliveredWebhookIsProcessedOnce() throws Exception {
        String body = Fixtures.whatsappText("connect.json");
        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);
        t.awaitCall(FIXTURE_CALL_ID, c -> c.state().equals("ENDED"));
        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);
        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);
        Thread.sleep(300);
        t.server.callLog().awaitDrained(Duration.ofSeconds(5));

        assertThat(t.graph.actions()).containsExactly("reject");
        assertThat(t.server.repository().events(FIXTURE_CALL_ID)).filteredOn(e -> e.type().equals("webhook.connect"))
                .hasSize(1);
        assertThat(t.get("/metrics").body()).contains("wavoice_webhook_duplicates_total 2.0");
    }

    @Test
    void aCallerKnownOnlyByBsuidIsStoredByBsuid() throws Exception {
        String body = TestServer.connectWebhook("wacid.BSUID-ONLY", "1764000500", value -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) value.withArray("calls").get(0)).put("from", "");
            ((com.fasterxml.jackson.databind.node.ObjectNode) value.withArray("contacts").get(0)).put("wa_id", "");
            return value;
        });
        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);

        CallRecord row = t.awaitCall("wacid.BSUID-ONLY", c -> c.state().equals("ENDED"));
        assertThat(row.callerPhone()).isNull();
        assertThat(row.callerBsuid()).isEqualTo("US.13491208655302741918");
        assertThat(t.server.repository().events("wacid.BSUID-ONLY").getFirst().detail())
                .isEqualTo("caller=US.13491208655302741918");
    }

    @Test
    void otherFieldsUnknownFieldsAndUnknownCallsAreAcknowledgedAndIgnored() throws Exception {
        assertThat(t.postSigned(Fixtures.whatsappText("messages-text.json")).statusCode()).isEqualTo(200);
        assertThat(t.postSigned(Fixtures.whatsappText("status-ringing.json")).statusCode()).isEqualTo(200);
        assertThat(t.postSigned(Fixtures.whatsappText("terminate-failed.json")).statusCode()).isEqualTo(200);
        String withExtras = TestServer.connectWebhook("wacid.EXTRA", "1764000600", value -> {
            value.put("brand_new_field", "x");
            ((com.fasterxml.jackson.databind.node.ObjectNode) value.withArray("calls").get(0)).putObject("future").put("a", 1);
            return value;
        }).replace("\"field\":\"calls\"", "\"field\":\"calls\",\"also_new\":[1,2,3]");
        assertThat(t.postSigned(withExtras).statusCode()).isEqualTo(200);
        assertThat(t.postSigned("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"account_update\",\"value\":{}}]}]}")
                .statusCode()).isEqualTo(200);

        t.awaitCall("wacid.EXTRA", c -> c.state().equals("ENDED"));
        assertThat(t.server.repository().countCalls()).isEqualTo(1);
        assertThat(t.graph.actions()).containsExactly("reject");
    }

    @Test
    void metricsHealthAndReadinessAreServed() throws Exception {
        t.postSigned(Fixtures.whatsappText("connect.json"));
        t.awaitCall(FIXTURE_CALL_ID, c -> c.state().equals("ENDED"));

        String metrics = t.get("/metrics").body();
        assertThat(metrics).contains("wavoice_webhook_requests_total{result=\"accepted\"} 1.0");
        assertThat(metrics).contains("wavoice_calls_total{outcome=\"rejected_media_unavailable\"} 1.0");
        assertThat(metrics).contains("wavoice_calls_active 0.0");
        assertThat(metrics).containsPattern("wavoice_graph_request_seconds_count\\{action=\"reject\",outcome=\"ok\"\\} 1");
        assertThat(metrics).contains("jvm_memory_used_bytes");
        assertThat(t.get("/health").body()).contains("ok");
        var ready = t.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"database\":\"up\"");
    }

    @Test
    void callLogApiIsOpenOnLoopbackAndShowsTheCall() throws Exception {
        t.postSigned(Fixtures.whatsappText("connect.json"));
        t.awaitCall(FIXTURE_CALL_ID, c -> c.state().equals("ENDED"));

        var list = t.get("/api/calls");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(FIXTURE_CALL_ID);
        var one = t.get("/api/calls/" + FIXTURE_CALL_ID);
        assertThat(one.body()).contains("rejected_media_unavailable").contains("webhook.connect");
        assertThat(t.get("/api/calls/wacid.nope").statusCode()).isEqualTo(404);
    }
}
