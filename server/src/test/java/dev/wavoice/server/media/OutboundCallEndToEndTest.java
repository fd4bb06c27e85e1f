package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.media.dtls.DtlsRole;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.TestAudio;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A call the business places, end to end, with Pion as WhatsApp's ICE-lite edge answering wavoice's offer:
 * {@code POST /api/calls} → Graph {@code connect} with the offer → RINGING status → the user picks up (a
 * business-initiated connect webhook carrying the edge's answer) → ICE+DTLS → the local agent greets first (its chime,
 * detected by frequency at the edge) → the user's tone reaches the agent (its transcript of the caller) → terminate.
 * Both DTLS roles the answer may choose: the edge as client ({@code a=setup:active}, wavoice the DTLS server) and as
 * server ({@code a=setup:passive}).
 */
@Timeout(120)
class OutboundCallEndToEndTest {
    static final Duration T = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @ParameterizedTest
    @EnumSource(DtlsRole.class)
    void theAgentCallsTheUserGreetsFirstAndHearsThem(DtlsRole edgeRole) throws Exception {
        double hz = TestAudio.randomTone(300, 550);
        // 1 s of silence while the greeting plays, 1.2 s of "speech", then silence for the reply.
        Path says = TestAudio.toneBetweenSilences(dir, hz, 50, 60, 190);
        Path rec = dir.resolve("heard-" + edgeRole + ".rec");
        try (TestServer t = new TestServer(dir, null, b -> b.agent(AgentKind.LOCAL).phoneNumberId("110000000000001"));
             PionPeer whatsapp = PionPeer.start(PionPeer.Options.edgeAnswerer(edgeRole).withSendOpusFile(says)
                     .withRecord(rec).withDuration(Duration.ofSeconds(30)))) {
            t.permits("15557654321");
            HttpResponse<String> placed = t.placeCall("""
                    {"to": "+15557654321", "callback_data": "order-8812",
                     "agent": {"instructions": "You call to confirm an appointment.", "first_message": "Hi, it is the clinic."}}""");
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(201);
            JsonNode body = JSON.readTree(placed.body());
            String callId = body.path("call_id").asText();
            String waCallId = body.path("wa_call_id").asText();
            assertThat(callId).startsWith("wv.");
            assertThat(waCallId).startsWith("wacid.FAKE-");

            FakeGraphApi.Request connect = t.graph.requests(r -> "connect".equals(r.action())).getLast();
            assertThat(connect.path()).isEqualTo("/v23.0/110000000000001/calls");
            assertThat(connect.body().path("to").asText()).isEqualTo("15557654321");
            assertThat(connect.body().path("biz_opaque_callback_data").asText()).isEqualTo("order-8812");
            assertThat(connect.body().path("session").path("sdp_type").asText()).isEqualTo("offer");
            String offer = connect.sdp();
            assertThat(offer).contains("a=setup:actpass", "a=fingerprint:sha-256 ", "a=rtcp-mux", "opus/48000/2",
                    "telephone-event/8000", "a=candidate:").doesNotContain("a=ice-lite");
            assertThat(t.awaitCall(callId, c -> c.state().equals("DIALLING")).waCallId()).isEqualTo(waCallId);

            t.postSigned(TestServer.statusWebhook(waCallId, "RINGING", "1764000201"));
            t.awaitCall(callId, c -> c.state().equals("RINGING"));

            whatsapp.sendOffer(offer);
            String answer = whatsapp.answer(T);
            assertThat(answer).contains("a=ice-lite", edgeRole == DtlsRole.CLIENT ? "a=setup:active" : "a=setup:passive");
            t.postSigned(TestServer.answerWebhook(waCallId, "1764000205", answer));
            whatsapp.awaitConnected(T);
            CallRecord live = t.awaitCall(callId, c -> c.state().equals("CONNECTED"));
            assertThat(live.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(live.callerPhone()).isEqualTo("15557654321");
            assertThat(live.callbackData()).isEqualTo("order-8812");

            // The user's tone reaches the agent: it logs the caller's turn once it hears the pause after it.
            await().atMost(T).until(() -> t.server.repository().transcripts(callId).stream()
                    .anyMatch(r -> r.speaker().equals("caller") && r.text().contains("s of caller audio")));
            t.postSigned(TestServer.terminateWebhook(waCallId, "COMPLETED", 6L));
            CallRecord ended = t.awaitCall(callId, c -> c.state().equals("ENDED"));
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            whatsapp.requestClose();
            whatsapp.awaitExit(T);

            short[] heard = TestAudio.decode(whatsapp.recording());
            assertThat(TestAudio.windowsAt(heard, 880)).as("the agent's greeting chime (660 then 880 Hz)")
                    .isGreaterThanOrEqualTo(1);
            assertThat(t.server.repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("call.requested", "graph.connect", "webhook.status", "webhook.connect",
                            "media.connected", "call.connected", "webhook.terminate", "call.ended");
            assertThat(t.graph.requests(r -> waCallId.equals(r.callId()))).as("the user hung up: nothing to tell Graph")
                    .isEmpty();
            assertThat(t.get("/metrics").body())
                    .contains("wavoice_calls_started_total{direction=\"business_initiated\"} 1.0");
        }
    }
}
