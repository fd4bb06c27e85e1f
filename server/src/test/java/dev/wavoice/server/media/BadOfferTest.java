package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offers the real media stack cannot answer, through the whole webhook path: each gets a 200 for the webhook, a
 * Graph {@code reject}, and a call row that says why; a terminate for a call nobody knows is acknowledged and
 * ignored; the service keeps answering good calls.
 */
class BadOfferTest {
    @TempDir
    Path dir;
    TestServer t;

    @BeforeEach
    void start() throws Exception {
        t = new TestServer(dir, null, b -> b.agent(AgentKind.LOCAL));
    }

    @AfterEach
    void stop() {
        t.close();
    }

    private CallRecord connectWith(String callId, String sdp) throws Exception {
        var response = t.postSigned(TestServer.connectWebhook(callId, "1764002000", v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", sdp);
            return v;
        }));
        assertThat(response.statusCode()).isEqualTo(200);
        return t.awaitCall(callId, c -> c.state().equals("ENDED"));
    }

    @Test
    void malformedSdpIsRejectedWithTheParseError() throws Exception {
        CallRecord row = connectWith("wacid.BAD-SDP", "v=0\r\nthis is not sdp\r\n");
        assertThat(row.endReason()).isEqualTo("rejected_bad_offer");
        assertThat(row.endDetail()).startsWith("cannot answer the offer");
        assertThat(t.graph.actions()).containsExactly("reject");
        assertThat(t.server.repository().events("wacid.BAD-SDP")).extracting(CallEventRecord::type)
                .containsExactly("webhook.connect", "graph.reject", "call.ended");
    }

    @Test
    void anOfferWithoutAudioIsRejected() throws Exception {
        String video = SdpFixtures.whatsAppOffer().replace("m=audio", "m=video");
        CallRecord row = connectWith("wacid.NO-AUDIO", video);
        assertThat(row.endReason()).isEqualTo("rejected_bad_offer");
        assertThat(row.endDetail()).containsIgnoringCase("audio");
        assertThat(t.graph.actions()).containsExactly("reject");
    }

    @Test
    void anOfferWithNoCommonCodecIsRejected() throws Exception {
        String pcmuOnly = SdpFixtures.whatsAppOffer().replaceAll("(?i)opus/48000/2", "PCMU/8000");
        CallRecord row = connectWith("wacid.NO-OPUS", pcmuOnly);
        assertThat(row.endReason()).isEqualTo("rejected_bad_offer");
        assertThat(row.endDetail()).containsIgnoringCase("opus");
        assertThat(t.graph.actions()).containsExactly("reject");
    }

    @Test
    void aTerminateForAnUnknownCallIsAcknowledgedAndIgnored() throws Exception {
        var response = t.postSigned(TestServer.terminateWebhook("wacid.NEVER-SEEN", "COMPLETED", 3L));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(t.server.repository().findCall("wacid.NEVER-SEEN")).isEmpty();
        assertThat(t.graph.requests()).isEmpty();
    }
}
