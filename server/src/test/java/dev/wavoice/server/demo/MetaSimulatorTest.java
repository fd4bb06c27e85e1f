package dev.wavoice.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.testsupport.Fixtures;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The simulated Meta without a browser: webhook shape, signalling through the real webhook, the Graph side. */
@Timeout(60)
class MetaSimulatorTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    DemoServer start() throws Exception {
        DemoServer demo = DemoServer.start(WavoiceConfig.builder().httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0).dbUrl("jdbc:h2:file:" + dir.resolve("db"))
                .agent(AgentKind.ECHO).build(), AgentConfig.fromEnvironment(Map.of()));
        while (!demo.server().callLog().isMigrated()) {
            Thread.sleep(10);
        }
        return demo;
    }

    @Test
    void theConnectWebhookHasWhatsAppsShape() throws Exception {
        byte[] connect = new DemoWebhooks().connect("wacid.demo-1", "v=0\r\n", Instant.now());
        assertThat(paths(JSON.readTree(connect), "")).isEqualTo(paths(JSON.readTree(Fixtures.whatsappText("connect.json")), ""));
        byte[] terminate = new DemoWebhooks().terminate("wacid.demo-1", Instant.now().minusSeconds(3), Instant.now());
        assertThat(paths(JSON.readTree(terminate), ""))
                .isEqualTo(paths(JSON.readTree(Fixtures.whatsappText("terminate-completed.json")), ""));
    }

    @Test
    void anOfferGoesThroughTheSignedWebhookAndTheAnswerComesBackFromPreAccept() throws Exception {
        try (DemoServer demo = start()) {
            String callId = post(demo, "/demo/calls", "{}").path("callId").asText();
            String offer = Fixtures.whatsappText("offer.sdp");
            JsonNode answered = post(demo, "/demo/calls/" + callId + "/offer", JSON.writeValueAsString(Map.of("sdp", offer)));
            assertThat(answered.path("sdp").asText()).startsWith("v=0").contains("a=fingerprint:sha-256");
            CallRecord row = awaitRow(demo, callId, "PRE_ACCEPTED");
            assertThat(row.callerName()).isEqualTo(DemoWebhooks.CALLER_NAME);
            assertThat(row.callerPhone()).isEqualTo(DemoWebhooks.CALLER_PHONE);
            assertThat(row.phoneNumberId()).isEqualTo(DemoWebhooks.PHONE_NUMBER_ID);

            post(demo, "/demo/calls/" + callId + "/hangup", "");
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("caller_hangup");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("webhook.connect", "graph.pre_accept", "webhook.terminate", "call.ended");
        }
    }

    @Test
    void anOfferTheServiceCannotAnswerIsRejectedThroughGraph() throws Exception {
        try (DemoServer demo = start()) {
            String callId = post(demo, "/demo/calls", "{}").path("callId").asText();
            JsonNode reply = post(demo, "/demo/calls/" + callId + "/offer", "{\"sdp\":\"v=0\\r\\nnot an offer\\r\\n\"}");
            assertThat(reply.path("rejected").asBoolean()).isTrue();
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).startsWith("rejected");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type).contains("graph.reject");
        }
    }

    @Test
    void theGraphSideChecksTheAccessTokenAndTheCall() throws Exception {
        try (DemoServer demo = start()) {
            URI graph = URI.create(demo.pageUrl() + "demo/graph/v23.0/" + DemoWebhooks.PHONE_NUMBER_ID + "/calls");
            String body = "{\"messaging_product\":\"whatsapp\",\"call_id\":\"wacid.unknown\",\"action\":\"terminate\"}";
            HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(graph)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(noToken.body()).path("error").path("code").asInt()).isEqualTo(190);
            HttpResponse<String> unknownCall = http.send(HttpRequest.newBuilder(graph)
                    .header("Authorization", "Bearer " + demo.config().accessToken().reveal())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unknownCall.statusCode()).isEqualTo(400);
            // The page is served, and an unsigned webhook is still refused: the demo goes through the real check.
            assertThat(http.send(HttpRequest.newBuilder(demo.pageUrl()).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).contains("<button id=\"call\">");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(demo.pageUrl() + "webhook"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(401);
        }
    }

    private JsonNode post(DemoServer demo, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(demo.pageUrl() + path.substring(1)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static CallRecord awaitRow(DemoServer demo, String callId, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        Optional<CallRecord> row = Optional.empty();
        while (System.nanoTime() < deadline) {
            demo.server().callLog().awaitDrained(Duration.ofSeconds(2));
            row = demo.server().repository().findCall(callId);
            if (row.isPresent() && row.get().state().equals(state)) {
                return row.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("call " + callId + " never reached " + state + "; last row: " + row);
    }

    /** Every field path of a JSON document (array elements as [i]), values left out. */
    private static Set<String> paths(JsonNode node, String prefix) {
        Set<String> out = new TreeSet<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(f -> {
                out.add(prefix + "/" + f);
                out.addAll(paths(node.get(f), prefix + "/" + f));
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                out.addAll(paths(node.get(i), prefix + "[" + i + "]"));
            }
        }
        return out;
    }
}
