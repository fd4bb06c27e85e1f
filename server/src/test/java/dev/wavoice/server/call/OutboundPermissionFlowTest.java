package dev.wavoice.server.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A business calling users with and without their call permission, against the fake Graph answering with Meta's
 * payloads ({@code src/test/resources/whatsapp/permissions/}): what the API answers, what Graph is asked and sent,
 * and what the rows say. Each case calls a user of its own, so the stored permissions do not mix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundPermissionFlowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEMPLATE = "call_permission_ask";

    TestServer t;
    final ScriptedMedia media = new ScriptedMedia();
    final AtomicInteger messageIds = new AtomicInteger();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        t = new TestServer(dir, media, b -> b.phoneNumberId("110000000000001").grantWait(Duration.ofSeconds(2))
                .permissions(new PermissionSettings(TEMPLATE, "en", Duration.ofSeconds(60))));
    }

    @AfterAll
    void stop() {
        t.close();
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = OutboundPermissionFlowTest.class.getResourceAsStream("/whatsapp/permissions/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A check fixture for another expiry. */
    static String checkExpiring(String name, Instant expiresAt) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(fixture(name));
        ((ObjectNode) root.path("permission")).put("expiration_time", expiresAt.getEpochSecond());
        return root.toString();
    }

    /** The user's reply to the permission request, as Meta delivers it, from {@code user}. */
    String reply(String name, String user, Instant expiresAt) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(fixture(name));
        ObjectNode value = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value");
        ((ObjectNode) value.path("contacts").path(0)).put("wa_id", user);
        ObjectNode message = (ObjectNode) value.path("messages").path(0);
        message.put("from", user);
        message.put("id", "wamid.REPLY" + messageIds.incrementAndGet());
        message.put("timestamp", Long.toString(Instant.now().getEpochSecond()));
        ObjectNode answer = (ObjectNode) message.path("interactive").path("call_permission_reply");
        if (expiresAt != null) {
            answer.put("expiration_timestamp", expiresAt.getEpochSecond());
        }
        return root.toString();
    }

    JsonNode place(String json, int status) throws Exception {
        HttpResponse<String> r = t.placeCall(json);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    List<FakeGraphApi.Request> sentTo(String user) {
        return t.graph.requests(r -> user.equals(r.user()) || (r.body() != null
                && user.equals(r.body().path("to").asText(null))));
    }

    List<String> events(String callId) throws Exception {
        return t.server.repository().events(callId).stream().map(CallEventRecord::type).toList();
    }

    @Test
    void aTemporaryPermissionStillValidIsDialledAtOnce() throws Exception {
        t.graph.permissionAnswer("15551110001", Reply.status(200,
                checkExpiring("check-temporary.json", Instant.now().plus(Duration.ofDays(3)))));
        JsonNode placed = place("{\"to\":\"15551110001\"}", 201);
        assertThat(sentTo("15551110001")).extracting(r -> r.isPermissionCheck() ? "check" : r.action())
                .containsExactly("check", "connect");
        assertThat(placed.path("wa_call_id").asText()).startsWith("wacid.FAKE-");
    }

    @Test
    void withoutPermissionNothingIsDialledAndTheCallerIsToldWhy() throws Exception {
        JsonNode refused = place("{\"to\":\"15551110002\"}", 403);
        assertThat(refused.path("permission").asText()).isEqualTo("no_permission");
        assertThat(refused.path("error").asText()).contains("no call permission");
        assertThat(sentTo("15551110002")).noneMatch(r -> "connect".equals(r.action()) || r.isMessage());
    }

    @Test
    void anExpiredTemporaryPermissionCountsAsNone() throws Exception {
        t.graph.permissionAnswer("15551110003", Reply.status(200,
                checkExpiring("check-temporary.json", Instant.now().minus(Duration.ofHours(1)))));
        JsonNode refused = place("{\"to\":\"15551110003\"}", 403);
        assertThat(refused.path("permission").asText()).isIn("no_permission", "temporary");
        assertThat(sentTo("15551110003")).noneMatch(r -> "connect".equals(r.action()));
    }

    @Test
    void anExhaustedCallLimitIsA429WithMetasFigures() throws Exception {
        t.graph.permissionAnswer("15551110004", Reply.status(200,
                checkExpiring("check-call-limit-exhausted.json", Instant.now().plus(Duration.ofDays(3)))));
        JsonNode refused = place("{\"to\":\"15551110004\"}", 429);
        assertThat(refused.path("error").asText()).contains("start_call", "max_allowed");
        assertThat(sentTo("15551110004")).noneMatch(r -> "connect".equals(r.action()));
    }

    @Test
    void askingForPermissionSendsTheTemplateOutsideTheServiceWindow() throws Exception {
        JsonNode asked = place("{\"to\":\"15551110005\",\"request_permission\":true}", 202);
        assertThat(asked.path("permission_request_sent").asBoolean()).isTrue();
        assertThat(asked.has("call_id")).as("nothing will be dialled").isFalse();
        FakeGraphApi.Request message = sentTo("15551110005").stream().filter(FakeGraphApi.Request::isMessage)
                .findFirst().orElseThrow();
        assertThat(message.body().path("type").asText()).isEqualTo("template");
        assertThat(message.body().path("template").path("name").asText()).isEqualTo(TEMPLATE);
    }

    @Test
    void dialOnGrantWaitsForTheUsersGrantThenDials() throws Exception {
        String user = "15551110006";
        JsonNode waiting = place("{\"to\":\"" + user + "\",\"dial_on_grant\":true,\"callback_data\":\"cb-6\"}", 202);
        String callId = waiting.path("call_id").asText();
        assertThat(waiting.path("state").asText()).isEqualTo("AWAITING_PERMISSION");
        t.awaitCall(callId, r -> r.state().equals("AWAITING_PERMISSION"));
        assertThat(sentTo(user)).noneMatch(r -> "connect".equals(r.action()));

        t.postSigned(reply("reply-accept-temporary.json", user, Instant.now().plus(Duration.ofDays(7))));
        CallRecord dialled = t.awaitCall(callId, r -> r.state().equals("DIALLING") && r.waCallId() != null);
        assertThat(dialled.callbackData()).isEqualTo("cb-6");
        FakeGraphApi.Request connect = sentTo(user).stream().filter(r -> "connect".equals(r.action())).findFirst()
                .orElseThrow();
        assertThat(connect.body().path("biz_opaque_callback_data").asText()).isEqualTo("cb-6");
        assertThat(events(callId)).containsSubsequence("call.requested", "permission.checked",
                "permission.requested", "permission.granted", "graph.connect");
    }

    @Test
    void aDeclinedRequestEndsTheWaitingCall() throws Exception {
        String user = "15551110007";
        String callId = place("{\"to\":\"" + user + "\",\"dial_on_grant\":true}", 202).path("call_id").asText();
        t.postSigned(reply("reply-reject.json", user, null));
        CallRecord ended = t.awaitCall(callId, r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("no_permission");
        assertThat(ended.endDetail()).contains("declined");
        assertThat(sentTo(user)).noneMatch(r -> "connect".equals(r.action()));
    }

    @Test
    void aUserWhoNeverAnswersTheRequestIsNotCalled() throws Exception {
        String user = "15551110008";
        String callId = place("{\"to\":\"" + user + "\",\"dial_on_grant\":true}", 202).path("call_id").asText();
        CallRecord ended = t.awaitCall(callId, r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("no_permission");
        assertThat(ended.endDetail()).contains("no grant within");
        // A grant after the wait dials nothing.
        t.postSigned(reply("reply-accept-temporary.json", user, Instant.now().plus(Duration.ofDays(7))));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> sentTo(user).stream().noneMatch(r -> "connect".equals(r.action())));
    }

    @Test
    void anExhaustedRequestLimitIsA429() throws Exception {
        t.graph.permissionAnswer("15551110009", Reply.status(200, fixture("check-request-limit-exhausted.json")));
        JsonNode refused = place("{\"to\":\"15551110009\",\"request_permission\":true}", 429);
        assertThat(refused.path("error").asText()).isNotBlank();
        assertThat(sentTo("15551110009")).noneMatch(FakeGraphApi.Request::isMessage);
    }
}
