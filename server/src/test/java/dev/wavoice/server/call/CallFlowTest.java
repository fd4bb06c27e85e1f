package dev.wavoice.server.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call state machine end to end: signed webhooks in, Graph requests and call-log rows out. */
class CallFlowTest {
    @TempDir
    Path dir;
    TestServer t;
    final ScriptedMedia media = new ScriptedMedia();

    void start(UnaryOperator<dev.wavoice.server.config.WavoiceConfig.Builder> tweak) throws Exception {
        t = new TestServer(dir, media, tweak);
    }

    @AfterEach
    void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void connectIsPreAcceptedThenAcceptedOnceMediaIsUpAndEndsOnTerminate() throws Exception {
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.OK", "1764000001", v -> v));

        CallRecord live = t.awaitCall("wacid.OK", c -> c.state().equals("CONNECTED"));
        assertThat(live.connectedAt()).isNotNull();
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept");
        var preAccept = t.graph.requests().getFirst();
        assertThat(preAccept.body().path("session").path("sdp_type").asText()).isEqualTo("answer");
        assertThat(preAccept.body().path("session").path("sdp").asText()).contains("a=setup:active");
        assertThat(t.graph.requests().get(1).body().path("session").path("sdp").asText())
                .isEqualTo(preAccept.body().path("session").path("sdp").asText());
        assertThat(t.server.calls().size()).isEqualTo(1);

        t.postSigned(TestServer.terminateWebhook("wacid.OK", "COMPLETED", 92L));
        CallRecord ended = t.awaitCall("wacid.OK", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(ended.durationMs()).isEqualTo(92_000L);
        assertThat(media.session("wacid.OK").closed).isTrue();
        assertThat(t.graph.actions()).as("the caller hung up: no terminate from us").containsExactly("pre_accept", "accept");
        assertThat(t.server.repository().events("wacid.OK")).extracting(CallEventRecord::type).containsExactly(
                "webhook.connect", "media.answered", "graph.pre_accept", "media.connected", "graph.accept",
                "webhook.terminate", "call.ended");
        assertThat(t.server.calls().size()).isZero();
    }

    @Test
    void mediaThatNeverConnectsIsRejectedAfterTheTimeout() throws Exception {
        media.behaviour = ScriptedMedia.Behaviour.NEVER_CONNECT;
        start(b -> b.mediaConnectTimeout(Duration.ofMillis(300)));
        t.postSigned(TestServer.connectWebhook("wacid.SLOWMEDIA", "1764000002", v -> v));

        CallRecord ended = t.awaitCall("wacid.SLOWMEDIA", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("media_failed");
        assertThat(ended.endDetail()).contains("not connected within");
        assertThat(t.graph.actions()).containsExactly("pre_accept", "reject");
        assertThat(media.session("wacid.SLOWMEDIA").closed).isTrue();
    }

    @Test
    void aFailedHandshakeEndsTheCallWithTheMediaError() throws Exception {
        media.behaviour = ScriptedMedia.Behaviour.FAIL_TO_CONNECT;
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.DTLS", "1764000003", v -> v));

        CallRecord ended = t.awaitCall("wacid.DTLS", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("media_failed");
        assertThat(ended.endDetail()).contains("fingerprint mismatch");
        assertThat(t.graph.actions()).containsExactly("pre_accept", "reject");
    }

    @Test
    void graphFailingOnAcceptClosesMediaAndStoresTheGraphError() throws Exception {
        start(b -> b);
        t.graph.then(Reply.ok(), Reply.graphError(400, 138006, null, "Call not in a state to accept"));
        t.postSigned(TestServer.connectWebhook("wacid.GRAPHERR", "1764000004", v -> v));

        CallRecord ended = t.awaitCall("wacid.GRAPHERR", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("graph_error");
        assertThat(ended.endDetail()).contains("138006").contains("Call not in a state to accept");
        assertThat(media.session("wacid.GRAPHERR").closed).isTrue();
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept", "reject");
    }

    @Test
    void callsBeyondTheLimitAreRejectedWithTheReason() throws Exception {
        start(b -> b.maxCalls(1));
        t.postSigned(TestServer.connectWebhook("wacid.FIRST", "1764000005", v -> v));
        t.awaitCall("wacid.FIRST", c -> c.state().equals("CONNECTED"));
        t.postSigned(TestServer.connectWebhook("wacid.SECOND", "1764000006", v -> v));

        CallRecord second = t.awaitCall("wacid.SECOND", c -> c.state().equals("ENDED"));
        assertThat(second.endReason()).isEqualTo("rejected_capacity");
        assertThat(second.endDetail()).contains("WAVOICE_MAX_CALLS=1");
        assertThat(t.graph.requests(r -> "wacid.SECOND".equals(r.callId()))).extracting(r -> r.action())
                .containsExactly("reject");
        assertThat(t.server.repository().findCall("wacid.FIRST").orElseThrow().state()).isEqualTo("CONNECTED");
    }

    @Test
    void aSecondConnectForALiveCallIsIgnored() throws Exception {
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.TWICE", "1764000007", v -> v));
        t.awaitCall("wacid.TWICE", c -> c.state().equals("CONNECTED"));
        t.postSigned(TestServer.connectWebhook("wacid.TWICE", "1764000008", v -> v)); // new timestamp: not a redelivery
        Thread.sleep(300);

        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept");
        assertThat(media.sessions).hasSize(1);
        assertThat(t.server.repository().findCall("wacid.TWICE").orElseThrow().state()).isEqualTo("CONNECTED");
    }

    @Test
    void theMaximumDurationHangsUpThroughGraph() throws Exception {
        start(b -> b.maxCallDuration(Duration.ofMillis(400)));
        t.postSigned(TestServer.connectWebhook("wacid.LONG", "1764000009", v -> v));

        CallRecord ended = t.awaitCall("wacid.LONG", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("max_duration");
        assertThat(ended.durationMs()).isBetween(300L, 5_000L);
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept", "terminate");
    }

    @Test
    void mediaLostAfterConnectingTerminatesTheCall() throws Exception {
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.CONSENT", "1764000010", v -> v));
        t.awaitCall("wacid.CONSENT", c -> c.state().equals("CONNECTED"));
        media.session("wacid.CONSENT").ended.complete(
                new CallMedia.MediaEnd(EndReason.MEDIA_FAILED, "ICE consent lost (no response for 30 s)"));

        CallRecord ended = t.awaitCall("wacid.CONSENT", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("media_failed");
        assertThat(ended.endDetail()).contains("consent lost");
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept", "terminate");
    }

    @Test
    void theCallersSideClosingTheMediaEndsTheCallWithoutATerminate() throws Exception {
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.BYE", "1764000015", v -> v));
        t.awaitCall("wacid.BYE", c -> c.state().equals("CONNECTED"));
        media.session("wacid.BYE").ended.complete(new CallMedia.MediaEnd(EndReason.CALLER_HANGUP, "peer ended DTLS"));

        CallRecord ended = t.awaitCall("wacid.BYE", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("caller_hangup");
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept");
    }

    @Test
    void anUnanswerableOfferIsRejected() throws Exception {
        media.behaviour = ScriptedMedia.Behaviour.BAD_OFFER;
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.NOAUDIO", "1764000011", v -> v));
        CallRecord ended = t.awaitCall("wacid.NOAUDIO", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("rejected_bad_offer");
        assertThat(t.graph.actions()).containsExactly("reject");

        media.behaviour = ScriptedMedia.Behaviour.CONNECT;
        t.postSigned(TestServer.connectWebhook("wacid.NOSDP", "1764000012", v -> {
            ((com.fasterxml.jackson.databind.node.ObjectNode) v.withArray("calls").get(0)).remove("session");
            return v;
        }));
        assertThat(t.awaitCall("wacid.NOSDP", c -> c.state().equals("ENDED")).endDetail()).contains("without an SDP offer");
    }

    @Test
    void ringTimeoutGivesUpOnACallThatNeverConnects() throws Exception {
        media.behaviour = ScriptedMedia.Behaviour.NEVER_CONNECT;
        start(b -> b.ringTimeout(Duration.ofMillis(300)).mediaConnectTimeout(Duration.ofSeconds(30)));
        t.postSigned(TestServer.connectWebhook("wacid.RING", "1764000013", v -> v));

        CallRecord ended = t.awaitCall("wacid.RING", c -> c.state().equals("ENDED"));
        assertThat(ended.endReason()).isEqualTo("ring_timeout");
        await().atMost(Duration.ofSeconds(5)).until(() -> t.graph.actions().contains("reject"));
    }

    @Test
    void shutdownTerminatesLiveCalls() throws Exception {
        start(b -> b);
        t.postSigned(TestServer.connectWebhook("wacid.SHUT", "1764000014", v -> v));
        t.awaitCall("wacid.SHUT", c -> c.state().equals("CONNECTED"));
        t.server.close();
        t.graph.close();
        var repo = new dev.wavoice.server.store.Database(t.config.dbUrl());
        try {
            CallRecord row = new dev.wavoice.server.store.CallLogRepository(repo.dataSource()).findCall("wacid.SHUT").orElseThrow();
            assertThat(row.endReason()).isEqualTo("shutdown");
        } finally {
            repo.close();
        }
        assertThat(t.graph.actions()).containsExactly("pre_accept", "accept", "terminate");
        t = null;
    }
}
