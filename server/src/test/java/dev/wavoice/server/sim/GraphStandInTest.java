package dev.wavoice.server.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The Graph stand-in's side of a call the business places: a {@code connect} is given a new call id in Meta's answer
 * and reaches the user it names (later actions on that id too); one naming nobody is refused with Graph's error
 * shape; a call permission check is answered with a permanent permission and counted.
 */
class GraphStandInTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aConnectGetsANewCallIdAndReachesTheUserItNamesAndOnlyThem() throws Exception {
        List<GraphStandIn.Action> heard = new CopyOnWriteArrayList<>();
        try (GraphStandIn graph = GraphStandIn.start(0); HttpClient http = HttpClient.newHttpClient()) {
            graph.expectCall("15557650100", heard::add);
            HttpResponse<String> placed = post(http, graph, """
                    {"messaging_product":"whatsapp","to":"15557650100","action":"connect",
                     "session":{"sdp_type":"offer","sdp":"v=0 (offer)"},"biz_opaque_callback_data":"order-8812"}""");
            assertThat(placed.statusCode()).isEqualTo(200);
            JsonNode answer = JSON.readTree(placed.body());
            assertThat(answer.path("messaging_product").asText()).isEqualTo("whatsapp");
            String callId = answer.path("calls").path(0).path("id").asText();
            assertThat(callId).startsWith("wacid.SIMOUT-");
            // Meta's answer goes out first; the user hears of the call just after.
            await().atMost(Duration.ofSeconds(10)).until(() -> !heard.isEmpty());
            assertThat(heard).singleElement().satisfies(a -> {
                assertThat(a.action()).isEqualTo("connect");
                assertThat(a.callId()).isEqualTo(callId);
                assertThat(a.to()).isEqualTo("15557650100");
                assertThat(a.sdp()).isEqualTo("v=0 (offer)");
                assertThat(a.callbackData()).isEqualTo("order-8812");
                assertThat(a.receivedNanos()).isPositive();
            });

            assertThat(post(http, graph, "{\"messaging_product\":\"whatsapp\",\"call_id\":\"" + callId
                    + "\",\"action\":\"terminate\"}").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
            assertThat(heard).extracting(GraphStandIn.Action::action).containsExactly("connect", "terminate");

            HttpResponse<String> nobody = post(http, graph, """
                    {"messaging_product":"whatsapp","to":"15550009999","action":"connect",
                     "session":{"sdp_type":"offer","sdp":"v=0"}}""");
            assertThat(nobody.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(nobody.body()).path("error").path("code").asInt()).isEqualTo(100);
            assertThat(heard).hasSize(2);
            assertThat(graph.unknownCalls()).isEqualTo(1);
        }
    }

    @Test
    void aPermissionCheckIsAnsweredPermanentWithStartCallAllowedAndCounted() throws Exception {
        try (GraphStandIn graph = GraphStandIn.start(0); HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(graph.url().resolve(
                    "/v23.0/110000000000001/call_permissions?user_wa_id=15557650100")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("permission").path("status").asText()).isEqualTo("permanent");
            JsonNode startCall = null;
            for (JsonNode action : body.path("actions")) {
                if (action.path("action_name").asText().equals("start_call")) {
                    startCall = action;
                }
            }
            assertThat(startCall).isNotNull();
            assertThat(startCall.path("can_perform_action").asBoolean()).isTrue();
            assertThat(graph.permissionChecks()).isEqualTo(1);
        }
    }

    private static HttpResponse<String> post(HttpClient http, GraphStandIn graph, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(graph.url().resolve("/v23.0/110000000000001/calls"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
