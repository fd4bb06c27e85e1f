package dev.wavoice.server.call;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls the business places, through their states and their bad inputs, with scripted media: what the API answers,
 * what Graph is sent, what the row and its events say, and what is counted. The media itself (offer, answer, ICE,
 * DTLS, audio) is proven against Pion in {@code OutboundCallEndToEndTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutboundCallFlowTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String AUDIO_ANSWER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
            + "m=audio 3480 UDP/TLS/RTP/SAVPF 111\r\na=setup:active\r\n";

    TestServer t;
    final ScriptedMedia media = new ScriptedMedia();
    final AtomicInteger timestamps = new AtomicInteger(1_764_200_000);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        t = new TestServer(dir, media, b -> b.phoneNumberId("110000000000001").dialTimeout(Duration.ofSeconds(2)));
    }

    @AfterAll
    void stop() {
        t.close();
    }

    record Placed(String callId, String waCallId) {}

    private Placed place(String to) throws Exception {
        t.permits(to);
        HttpResponse<String> r = t.placeCall("{\"to\":\"" + to + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        return new Placed(body.path("call_id").asText(), body.path("wa_call_id").asText());
    }

    private String ts() {
        return Integer.toString(timestamps.incrementAndGet());
    }

    private double counter(String name, String tag, String value) {
        var c = t.server.metrics().find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    private java.util.List<String> events(String callId) throws Exception {
        return t.server.repository().events(callId).stream().map(CallEventRecord::type).toList();
    }

    @Test
    void aBsuidIsCalledAndTheUserPicksUp() throws Exception {
        Placed p = place("US.13491208655302741918");
        assertThat(t.graph.requests(r -> "connect".equals(r.action())).getLast().body().path("to").asText())
                .isEqualTo("US.13491208655302741918");
        t.postSigned(TestServer.statusWebhook(p.waCallId(), "RINGING", ts()));
        t.postSigned(TestServer.answerWebhook(p.waCallId(), ts(), AUDIO_ANSWER));
        CallRecord live = t.awaitCall(p.callId(), r -> r.state().equals("CONNECTED"));
        assertThat(live.callerBsuid()).isEqualTo("US.13491208655302741918");
        assertThat(live.callerPhone()).isNull();
        assertThat(((ScriptedMedia.Outbound) media.session(p.callId())).answer).isEqualTo(AUDIO_ANSWER);
        t.postSigned(TestServer.terminateWebhook(p.waCallId(), "COMPLETED", 3L));
        CallRecord ended = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(ended.durationMs()).isEqualTo(3000L);
        assertThat(events(p.callId())).containsExactly("call.requested", "graph.connect", "webhook.status",
                "webhook.connect", "media.connected", "call.connected", "webhook.terminate", "call.ended");
    }

    @Test
    void anUnansweredCallIsEndedAfterTheDialTimeoutWithATerminate() throws Exception {
        Placed p = place("15550000001");
        t.postSigned(TestServer.statusWebhook(p.waCallId(), "RINGING", ts()));
        CallRecord ended = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("dial_timeout");
        assertThat(t.graph.requests(r -> p.waCallId().equals(r.callId()))).extracting(r -> r.action())
                .containsExactly("terminate");
        assertThat(media.session(p.callId()).closed).isTrue();
        assertThat(events(p.callId())).endsWith("graph.terminate", "call.ended");
    }

    @Test
    void aUserWhoDeclinesEndsTheCallWithoutATerminate() throws Exception {
        Placed p = place("15550000002");
        t.postSigned(TestServer.statusWebhook(p.waCallId(), "REJECTED", ts()));
        CallRecord ended = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("rejected_remote");
        assertThat(t.graph.requests(r -> p.waCallId().equals(r.callId()))).isEmpty();
    }

    @Test
    void anAnswerForAnUnknownCallIsCountedAndChangesNothing() throws Exception {
        double before = counter("wavoice.outbound.answers_refused", "reason", "unknown_call");
        HttpResponse<String> r = t.postSigned(TestServer.answerWebhook("wacid.NOT-OURS", ts(), AUDIO_ANSWER));
        assertThat(r.statusCode()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                counter("wavoice.outbound.answers_refused", "reason", "unknown_call") == before + 1);
        assertThat(t.server.repository().findCallByWaCallId("wacid.NOT-OURS")).isEmpty();
        assertThat(t.server.repository().findCall("wacid.NOT-OURS")).isEmpty();
    }

    @Test
    void anAnswerForACallAlreadyEndedIsRefusedAndTheRowSaysSo() throws Exception {
        Placed p = place("15550000003");
        t.postSigned(TestServer.terminateWebhook(p.waCallId(), "FAILED", null));
        t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        double before = counter("wavoice.outbound.answers_refused", "reason", "call_ended");
        t.postSigned(TestServer.answerWebhook(p.waCallId(), ts(), AUDIO_ANSWER));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> events(p.callId())
                .contains("webhook.connect.refused"));
        assertThat(counter("wavoice.outbound.answers_refused", "reason", "call_ended")).isEqualTo(before + 1);
        CallRecord row = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(row.endReason()).as("the first end stands").isEqualTo("call_failed");
        assertThat(((ScriptedMedia.Outbound) media.session(p.callId())).answer).isNull();
    }

    @Test
    void anAnswerWithoutAudioEndsTheCallWithTheReasonAndATerminate() throws Exception {
        Placed p = place("15550000004");
        t.postSigned(TestServer.answerWebhook(p.waCallId(), ts(),
                "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"));
        CallRecord ended = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("rejected_bad_answer");
        assertThat(ended.endDetail()).contains("no audio");
        assertThat(t.graph.requests(r -> p.waCallId().equals(r.callId()))).extracting(r -> r.action())
                .containsExactly("terminate");
        assertThat(counter("wavoice.outbound.answers_refused", "reason", "bad_answer")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aConnectWithoutAnAnswerSdpIsRefused() throws Exception {
        Placed p = place("15550000005");
        t.postSigned(TestServer.answerWebhook(p.waCallId(), ts(), "").replace("\"sdp_type\":\"answer\"",
                "\"sdp_type\":\"offer\""));
        CallRecord ended = t.awaitCall(p.callId(), r -> r.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("rejected_bad_answer");
        assertThat(ended.endDetail()).contains("without an SDP answer");
    }

    @Test
    void graphRefusingForMissingPermissionComesBackAsA403WithMetasCodeAndOnTheRow() throws Exception {
        t.permits("15550000006"); // stored as granted, but Meta no longer agrees
        t.graph.then(Reply.graphError(400, 138006, null, "No approved call permission from the recipient"));
        HttpResponse<String> r = t.placeCall("{\"to\":\"15550000006\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("graph_error_code").asInt()).isEqualTo(138006);
        assertThat(body.path("error").asText()).contains("No approved call permission");
        CallRecord row = t.awaitCall(body.path("call_id").asText(), c -> c.state().equals("ENDED"));
        assertThat(row.endReason()).isEqualTo("no_permission");
        assertThat(row.graphErrorCode()).isEqualTo(138006);
        assertThat(row.waCallId()).isNull();
        assertThat(media.session(row.callId()).closed).isTrue();
    }

    @Test
    void graphFailingTheConnectIsNotRetriedWhenTheCallMayHaveBeenPlaced() throws Exception {
        t.permits("15550000007");
        int connectsBefore = t.graph.requests(r -> "connect".equals(r.action())).size();
        t.graph.then(Reply.graphError(500, 1, null, "An unknown error occurred"));
        HttpResponse<String> r = t.placeCall("{\"to\":\"15550000007\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
        assertThat(t.graph.requests(q -> "connect".equals(q.action()))).as("a 500 may have placed the call: no retry")
                .hasSize(connectsBefore + 1);
    }

    @Test
    void badRequestsAreRefusedWithAClearError() throws Exception {
        assertThat(t.placeCall("{}").statusCode()).isEqualTo(400);
        assertThat(t.placeCall("{\"to\":\"not a number\"}").body()).contains("phone number");
        assertThat(t.placeCall("not json").statusCode()).isEqualTo(400);
        assertThat(t.placeCall("{\"to\":\"15550000008\",\"agent\":{\"voice\":\"bad voice!\"}}").statusCode())
                .isEqualTo(400);
        assertThat(t.placeCall("{\"to\":15550000008}").statusCode()).isEqualTo(400);
    }
}
