package dev.wavoice.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.sim.CallWebhooks;
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
import java.util.function.UnaryOperator;
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
        return start(b -> b);
    }

    DemoServer start(UnaryOperator<WavoiceConfig.Builder> settings) throws Exception {
        DemoServer demo = DemoServer.start(settings.apply(WavoiceConfig.builder().httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0).dbUrl("jdbc:h2:file:" + dir.resolve("db"))
                .agent(AgentKind.ECHO)).build(), AgentConfig.fromEnvironment(Map.of()));
        await().atMost(Duration.ofSeconds(15)).until(demo.server().callLog()::isMigrated);
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

    @Test
    void theOutboundWebhooksHaveWhatsAppsShape() throws Exception {
        OutboundWebhooks webhooks = new OutboundWebhooks();
        assertThat(paths(JSON.readTree(webhooks.status("wacid.demo-out-1", "RINGING", Instant.now())), ""))
                .isEqualTo(paths(JSON.readTree(Fixtures.whatsappText("status-ringing.json")), ""));
        JsonNode answer = JSON.readTree(webhooks.answer("wacid.demo-out-1", "v=0\r\n", "order-8812", Instant.now()));
        assertThat(paths(answer, ""))
                .isEqualTo(paths(JSON.readTree(Fixtures.whatsappText("business-initiated-connect.json")), ""));
        JsonNode call = answer.path("entry").path(0).path("changes").path(0).path("value").path("calls").path(0);
        assertThat(call.path("direction").asText()).isEqualTo("BUSINESS_INITIATED");
        assertThat(call.path("from").asText()).as("the business calls").isEqualTo(CallWebhooks.BUSINESS_NUMBER);
        assertThat(call.path("to").asText()).isEqualTo(DemoWebhooks.CALLER_PHONE);
        // The terminate carries every field of a user-initiated one, plus the business-initiated call's own.
        assertThat(paths(JSON.readTree(webhooks.terminate("wacid.demo-out-1", "COMPLETED", "order-8812",
                Instant.now().minusSeconds(4), Instant.now())), ""))
                .containsAll(paths(JSON.readTree(Fixtures.whatsappText("terminate-completed.json")), ""));
    }

    @Test
    void graphConnectToTheDemoUserGetsANewCallIdAndAnythingElseMetasError() throws Exception {
        try (DemoServer demo = start()) {
            String offer = Fixtures.whatsappText("offer.sdp");
            HttpResponse<String> placed = graph(demo, "calls", Map.of("messaging_product", "whatsapp",
                    "to", DemoWebhooks.CALLER_PHONE, "action", "connect", "biz_opaque_callback_data", "x",
                    "session", Map.of("sdp_type", "offer", "sdp", offer)));
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(placed.body());
            assertThat(body.path("messaging_product").asText()).isEqualTo("whatsapp");
            String waCallId = body.path("calls").path(0).path("id").asText();
            assertThat(waCallId).startsWith("wacid.demo-out-");
            // The same user by BSUID is another call with another id.
            HttpResponse<String> byBsuid = graph(demo, "calls", Map.of("to", DemoWebhooks.CALLER_USER_ID,
                    "action", "connect", "session", Map.of("sdp_type", "offer", "sdp", offer)));
            assertThat(JSON.readTree(byBsuid.body()).path("calls").path(0).path("id").asText())
                    .startsWith("wacid.demo-out-").isNotEqualTo(waCallId);

            HttpResponse<String> stranger = graph(demo, "calls", Map.of("to", "15550109999", "action", "connect",
                    "session", Map.of("sdp_type", "offer", "sdp", offer)));
            assertThat(stranger.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(stranger.body()).path("error").path("code").asInt()).isEqualTo(100);
            HttpResponse<String> noOffer = graph(demo, "calls", Map.of("to", DemoWebhooks.CALLER_PHONE,
                    "action", "connect", "session", Map.of("sdp_type", "answer", "sdp", offer)));
            assertThat(noOffer.statusCode()).isEqualTo(400);
            // Only terminate applies to a call the business placed; once terminated the id is unknown.
            assertThat(graph(demo, "calls", Map.of("call_id", waCallId, "action", "accept",
                    "session", Map.of("sdp_type", "answer", "sdp", offer))).statusCode()).isEqualTo(400);
            assertThat(graph(demo, "calls", Map.of("call_id", waCallId, "action", "terminate")).statusCode())
                    .isEqualTo(200);
            assertThat(graph(demo, "calls", Map.of("call_id", waCallId, "action", "terminate")).statusCode())
                    .isEqualTo(400);

            JsonNode permitted = JSON.readTree(graph(demo, "call_permissions?user_wa_id=" + DemoWebhooks.CALLER_PHONE,
                    null).body());
            assertThat(permitted.path("permission").path("status").asText()).isEqualTo("permanent");
            assertThat(permitted.path("actions").findValuesAsText("action_name")).contains("start_call");
            assertThat(JSON.readTree(graph(demo, "call_permissions?user_wa_id=15550109999", null).body())
                    .path("permission").path("status").asText()).isEqualTo("no_permission");
        }
    }

    @Test
    void theAgentCallsTheDemoUserWhoseDeclineArrivesAsRejected() throws Exception {
        try (DemoServer demo = start()) {
            JsonNode placed = post(demo, "/demo/outbound", "");
            String callId = placed.path("callId").asText();
            String waCallId = placed.path("waCallId").asText();
            assertThat(callId).startsWith("wv.");
            assertThat(waCallId).startsWith("wacid.demo-out-");
            CallRecord dialled = awaitRow(demo, callId, "DIALLING");
            assertThat(dialled.direction()).isEqualTo("BUSINESS_INITIATED");
            assertThat(dialled.waCallId()).isEqualTo(waCallId);
            assertThat(dialled.callbackData()).isEqualTo(OutboundRinger.CALLBACK_DATA);

            JsonNode ringing = post(demo, "/demo/outbound/" + waCallId + "/ring", "");
            assertThat(ringing.path("sdp").asText()).contains("a=setup:actpass", "a=fingerprint:sha-256", "a=candidate:");
            awaitRow(demo, callId, "RINGING");
            assertThat(postStatus(demo, "/demo/outbound/" + waCallId + "/ring", "")).as("rings once").isEqualTo(409);

            post(demo, "/demo/outbound/" + waCallId + "/decline", "");
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).isEqualTo("rejected_remote");
            assertThat(demo.server().repository().events(callId))
                    .extracting(e -> e.type() + (e.detail() == null ? "" : " " + e.detail()))
                    .containsSubsequence("call.requested to=" + DemoWebhooks.CALLER_PHONE, "graph.connect wa_call_id="
                            + waCallId, "webhook.status REJECTED")
                    .anyMatch(e -> e.startsWith("call.ended rejected_remote"));
            assertThat(postStatus(demo, "/demo/outbound/" + waCallId + "/answer", "{\"sdp\":\"v=0\"}"))
                    .as("a declined call cannot be answered").isEqualTo(409);
        }
    }

    @Test
    void aCallTheUserNeverPicksUpEndsByTheDialTimeoutAndMetaHearsTheTerminate() throws Exception {
        try (DemoServer demo = start(b -> b.dialTimeout(Duration.ofSeconds(1)))) {
            JsonNode placed = post(demo, "/demo/outbound", "");
            String callId = placed.path("callId").asText();
            String waCallId = placed.path("waCallId").asText();
            post(demo, "/demo/outbound/" + waCallId + "/ring", "");
            assertThat(awaitRow(demo, callId, "ENDED").endReason()).isEqualTo("dial_timeout");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("graph.connect", "webhook.status", "graph.terminate", "call.ended");
            assertThat(postStatus(demo, "/demo/outbound/" + waCallId + "/answer", "{\"sdp\":\"v=0\"}"))
                    .as("Meta forgot the call the business terminated").isEqualTo(409);
        }
    }

    @Test
    void anAnswerTheServiceCannotUseEndsTheCallAndTheServiceHangsUp() throws Exception {
        try (DemoServer demo = start()) {
            JsonNode placed = post(demo, "/demo/outbound", "");
            String callId = placed.path("callId").asText();
            String waCallId = placed.path("waCallId").asText();
            post(demo, "/demo/outbound/" + waCallId + "/ring", "");
            post(demo, "/demo/outbound/" + waCallId + "/answer", "{\"sdp\":\"v=0\\r\\nnot an answer\\r\\n\"}");
            CallRecord ended = awaitRow(demo, callId, "ENDED");
            assertThat(ended.endReason()).startsWith("rejected_bad_answer");
            assertThat(demo.server().repository().events(callId)).extracting(CallEventRecord::type)
                    .containsSubsequence("webhook.connect", "graph.terminate", "call.ended");
            assertThat(postStatus(demo, "/demo/outbound/" + waCallId + "/hangup", "")).isEqualTo(409);
        }
    }

    private HttpResponse<String> graph(DemoServer demo, String path, Map<String, Object> body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(demo.pageUrl() + "demo/graph/v23.0/"
                        + DemoWebhooks.PHONE_NUMBER_ID + "/" + path))
                .header("Authorization", "Bearer " + demo.config().accessToken().reveal());
        request = body == null ? request.GET() : request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int postStatus(DemoServer demo, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(demo.pageUrl() + path.substring(1)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
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
