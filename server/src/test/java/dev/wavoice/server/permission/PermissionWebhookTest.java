package dev.wavoice.server.permission;

import static dev.wavoice.server.permission.PermissionFixtures.JSON;
import static dev.wavoice.server.permission.PermissionFixtures.PHONE_NUMBER_ID;
import static dev.wavoice.server.permission.PermissionFixtures.REQUEST_MESSAGE_ID;
import static dev.wavoice.server.permission.PermissionFixtures.USER;
import static dev.wavoice.server.permission.PermissionFixtures.webhook;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.Fixtures;
import dev.wavoice.server.testsupport.TestServer;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code messages} webhook as Meta delivers it, signed, to a whole server: replies, inbound messages, junk. */
class PermissionWebhookTest {
    static final Duration T = Duration.ofSeconds(10);
    static final String ADMIN = "admin-perm-1";

    @TempDir
    Path dir;
    TestServer t;
    final List<PermissionReply> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(dir, new CallMedia.Unavailable("no media in the permission tests"), b -> b.adminToken(ADMIN));
        t.server.permissions().addGrantListener(new GrantListener() {
            @Override
            public void onGrant(PermissionReply.Granted grant) {
                heard.add(grant);
            }

            @Override
            public void onReject(PermissionReply.Rejected rejection) {
                heard.add(rejection);
            }
        });
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void aTemporaryGrantIsStoredTheListenerToldAndTheUserMayBeDialledWithoutAskingGraph() throws Exception {
        Instant expiry = Instant.now().plus(Duration.ofDays(7)).truncatedTo(ChronoUnit.SECONDS);
        String body = withReply(webhook("reply-accept-temporary.json", "wamid.t1", Instant.now()),
                r -> r.put("expiration_timestamp", expiry.getEpochSecond()));

        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);

        await().atMost(T).until(() -> heard.size() == 1);
        assertThat(heard.getFirst()).isEqualTo(new PermissionReply.Granted(PHONE_NUMBER_ID, USER, REQUEST_MESSAGE_ID,
                PermissionStatus.TEMPORARY, expiry, "user_action"));
        CallPermission row = t.server.permissions().stored(PHONE_NUMBER_ID, USER).orElseThrow();
        assertThat(row.status()).isEqualTo(PermissionStatus.TEMPORARY);
        assertThat(row.expiresAt()).isEqualTo(expiry);
        assertThat(row.source()).isEqualTo(PermissionSource.WEBHOOK_REPLY);
        assertThat(row.lastInboundAt()).isNotNull();

        PermissionDecision d = t.server.permissions().check(PHONE_NUMBER_ID, USER);
        assertThat(d.mayDial()).isTrue();
        assertThat(d.fromCache()).isTrue();
        assertThat(t.graph.requests(FakeGraphApi.Request::isPermissionCheck)).isEmpty();
    }

    @Test
    void aPermanentGrantIsStoredWithoutExpiry() throws Exception {
        assertThat(t.postSigned(webhook("reply-accept-permanent.json", "wamid.p1", Instant.now())).statusCode())
                .isEqualTo(200);

        await().atMost(T).until(() -> heard.size() == 1);
        PermissionReply.Granted grant = (PermissionReply.Granted) heard.getFirst();
        assertThat(grant.status()).isEqualTo(PermissionStatus.PERMANENT);
        assertThat(grant.expiresAt()).isNull();
        CallPermission row = t.server.permissions().stored(PHONE_NUMBER_ID, USER).orElseThrow();
        assertThat(row.status()).isEqualTo(PermissionStatus.PERMANENT);
        assertThat(row.expiresAt()).isNull();
    }

    @Test
    void aRejectionIsStoredTheListenerToldAndItOutlivesMetasNoPermission() throws Exception {
        assertThat(t.postSigned(webhook("reply-reject.json", "wamid.r1", Instant.now())).statusCode()).isEqualTo(200);

        await().atMost(T).until(() -> heard.size() == 1);
        assertThat(heard.getFirst()).isEqualTo(
                new PermissionReply.Rejected(PHONE_NUMBER_ID, USER, REQUEST_MESSAGE_ID, "user_action"));
        assertThat(t.server.permissions().stored(PHONE_NUMBER_ID, USER).orElseThrow().status())
                .isEqualTo(PermissionStatus.REJECTED);

        PermissionDecision d = t.server.permissions().check(PHONE_NUMBER_ID, USER); // Graph: no_permission
        assertThat(d.mayDial()).isFalse();
        assertThat(d.status()).isEqualTo(PermissionStatus.REJECTED);
        assertThat(d.reason()).contains("rejected");
    }

    @Test
    void aRedeliveredReplyIsHandledOnce() throws Exception {
        String body = webhook("reply-accept-permanent.json", "wamid.dup", Instant.now());
        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);
        await().atMost(T).until(() -> heard.size() == 1);

        assertThat(t.postSigned(body).statusCode()).isEqualTo(200);

        // Repeats are recognised before the 200 is sent, so the count is final here.
        assertThat(t.server.metrics().get("wavoice.webhook.duplicates").counter().count()).isEqualTo(1);
        assertThat(heard).hasSize(1);
    }

    @Test
    void anInboundMessageOpensTheServiceWindowSoTheInteractiveRequestIsUsed() throws Exception {
        assertThat(t.postSigned(webhook("inbound-text.json", "wamid.in1", Instant.now().minusSeconds(600)))
                .statusCode()).isEqualTo(200);
        await().atMost(T).until(() -> t.server.permissions().stored(PHONE_NUMBER_ID, USER)
                .map(p -> p.lastInboundAt() != null).orElse(false));

        PermissionRequestResult sent = t.server.permissions().requestPermission(PHONE_NUMBER_ID, USER, "May we call?");

        assertThat(sent.kind()).isEqualTo(PermissionRequestResult.Kind.INTERACTIVE);
        assertThat(t.graph.requests(FakeGraphApi.Request::isMessage).getFirst().body().path("interactive")
                .path("type").asText()).isEqualTo("call_permission_request");
    }

    @Test
    void malformedMessagesAreCountedAnsweredOkAndDisturbNeitherTheirNeighboursNorCalls() throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(webhook("reply-accept-permanent.json", "wamid.ok", Instant.now()));
        ArrayNode changes = (ArrayNode) root.path("entry").path(0).path("changes");
        JsonNode good = changes.get(0).deepCopy();
        changes.removeAll();
        changes.addObject().put("field", "messages").putArray("value").add(1).add(2);
        changes.addObject().put("field", "messages").putNull("value");
        ObjectNode noId = changes.addObject().put("field", "messages");
        noId.putObject("value").putArray("messages").addObject().put("from", USER).put("type", "text");
        ObjectNode noResponse = good.deepCopy();
        ObjectNode msg = (ObjectNode) noResponse.path("value").path("messages").path(0);
        msg.put("id", "wamid.noresponse");
        ((ObjectNode) msg.path("interactive").path("call_permission_reply")).remove("response");
        changes.add(noResponse);
        ObjectNode noMetadata = good.deepCopy();
        ((ObjectNode) noMetadata.path("value")).remove("metadata");
        ((ObjectNode) noMetadata.path("value").path("messages").path(0)).put("id", "wamid.nometa");
        changes.add(noMetadata);
        changes.add(good);

        assertThat(t.postSigned(JSON.writeValueAsString(root)).statusCode()).isEqualTo(200);

        await().atMost(T).until(() -> heard.size() == 1);
        assertThat(((PermissionReply.Granted) heard.getFirst()).status()).isEqualTo(PermissionStatus.PERMANENT);
        await().atMost(T).until(() -> malformed() == 5);
        assertThat(t.server.metrics().find("wavoice.webhook.messages_malformed").tag("part", "value").counter().count())
                .isEqualTo(2);

        // A call right after is handled as ever.
        assertThat(t.postSigned(Fixtures.whatsappText("connect.json")).statusCode()).isEqualTo(200);
        CallRecord call = t.awaitCall("wacid.HBgLMTU1NTc2NTQzMjEVAgASGCA0QzFGRTdCMEQ5", c -> c.state().equals("ENDED"));
        assertThat(call.endReason()).isEqualTo("rejected_media_unavailable");
        assertThat(heard).hasSize(1);
    }

    @Test
    void thePermissionListIsForTheAdminOnly() throws Exception {
        t.postSigned(webhook("reply-accept-permanent.json", "wamid.l1", Instant.now()));
        await().atMost(T).until(() -> heard.size() == 1);

        assertThat(t.get("/api/permissions").statusCode()).isEqualTo(401);
        var r = t.get("/api/permissions", "Authorization", "Bearer " + ADMIN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode row = JSON.readTree(r.body()).path("permissions").path(0);
        assertThat(row.path("user").asText()).isEqualTo(USER);
        assertThat(row.path("phoneNumberId").asText()).isEqualTo(PHONE_NUMBER_ID);
        assertThat(row.path("status").asText()).isEqualTo("permanent");
        assertThat(row.path("source").asText()).isEqualTo("webhook_reply");
        assertThat(row.path("serviceWindowOpen").asBoolean()).isTrue();
    }

    private double malformed() {
        return t.server.metrics().find("wavoice.webhook.messages_malformed").counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /** The webhook with its call_permission_reply edited. */
    private static String withReply(String webhook, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(webhook);
        edit.accept((ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value").path("messages")
                .path(0).path("interactive").path("call_permission_reply"));
        return JSON.writeValueAsString(root);
    }
}
