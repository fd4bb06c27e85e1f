package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.testsupport.Fixtures;
import dev.wavoice.server.testsupport.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The processor's side of several instances: a call's events handed to its owner as a webhook of that one event,
 * a hand-over that failed forgotten so Meta's redelivery is processed, a forwarded event handled without a second
 * de-duplication, and a new call nobody else takes handled here.
 */
class WebhookRoutingTest {
    final ObjectMapper json = WavoiceServer.objectMapper();
    final List<String> handled = new CopyOnWriteArrayList<>();
    final List<byte[]> forwarded = new CopyOnWriteArrayList<>();
    volatile boolean peerTakesIt;

    final CallWebhookListener listener = new CallWebhookListener() {
        @Override
        public void onConnect(WebhookPayload.CallEvent event, WebhookPayload.CallsValue value) {
            handled.add("connect " + event.id());
        }

        @Override
        public void onTerminate(WebhookPayload.CallEvent event) {
            handled.add("terminate " + event.id());
        }

        @Override
        public void onStatus(WebhookPayload.CallStatus status) {
            handled.add("status " + status.id());
        }
    };

    /** Every call but "wacid.HERE" belongs to a peer. */
    final WebhookRouting routing = new WebhookRouting() {
        @Override
        public Route route(String callId, boolean connect) {
            return callId.equals("wacid.HERE") ? HERE : new ToPeers(List.of("http://peer"), false);
        }

        @Override
        public boolean forward(ToPeers route, String callId, byte[] body) {
            if (peerTakesIt) {
                forwarded.add(body);
            }
            return peerTakesIt;
        }
    };

    final WebhookProcessor processor = new WebhookProcessor(json, listener, new EventDeduplicator(100), routing,
            Runnable::run, new SimpleMeterRegistry());

    private WebhookPayload terminate(String callId) throws Exception {
        return processor.parse(TestServer.terminateWebhook(callId, "COMPLETED", 4L).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aPeersCallIsHandedOverAsAWebhookOfThatEventAlone() throws Exception {
        peerTakesIt = true;
        assertThat(processor.process(terminate("wacid.PEER"))).isTrue();
        assertThat(handled).isEmpty();
        JsonNode sent = json.readTree(forwarded.getFirst());
        JsonNode value = sent.path("entry").get(0).path("changes").get(0).path("value");
        assertThat(value.path("calls")).hasSize(1);
        assertThat(value.path("calls").get(0).path("id").asText()).isEqualTo("wacid.PEER");
        assertThat(value.path("metadata").path("phone_number_id").asText()).isNotBlank();

        // On the peer: handled there, without a second de-duplication (the sender did it).
        WebhookProcessor peer = new WebhookProcessor(json, listener, new EventDeduplicator(100), WebhookRouting.LOCAL,
                Runnable::run, new SimpleMeterRegistry());
        assertThat(peer.processForwarded(peer.parse(forwarded.getFirst()))).isTrue();
        assertThat(handled).containsExactly("terminate wacid.PEER");
    }

    @Test
    void aFailedHandOverIsForgottenSoTheRedeliveryIsProcessed() throws Exception {
        peerTakesIt = false;
        assertThat(processor.process(terminate("wacid.PEER"))).as("answered 503 to Meta").isFalse();
        peerTakesIt = true;
        assertThat(processor.process(terminate("wacid.PEER"))).isTrue();
        assertThat(forwarded).hasSize(1);
        assertThat(processor.process(terminate("wacid.PEER"))).as("now a duplicate").isTrue();
        assertThat(forwarded).hasSize(1);
    }

    @Test
    void aNewCallNoPeerTakesAndTheCallsOfThisInstanceAreHandledHere() throws Exception {
        peerTakesIt = false;
        String connect = Fixtures.whatsappText("connect.json");
        assertThat(processor.process(processor.parse(connect.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(processor.process(terminate("wacid.HERE"))).isTrue();
        assertThat(handled).hasSize(2).last().isEqualTo("terminate wacid.HERE");
        assertThat(handled.getFirst()).startsWith("connect ");
    }
}
