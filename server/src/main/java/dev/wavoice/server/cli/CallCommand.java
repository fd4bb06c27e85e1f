package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice call --to …}: asks a running wavoice to place a call ({@code POST /api/calls}), prints what it answered
 * (both call ids, or why not), and with {@code --wait} follows the call's row until it ends.
 */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Ask a running wavoice to call a WhatsApp user (the agent calls them).")
public final class CallCommand implements Callable<Integer> {
    private static final Set<String> FINAL = Set.of("ENDED");

    @Option(names = "--to", required = true, description = "The user: phone number with country code, or a BSUID.")
    String to;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080",
            description = "Base URL of the running wavoice (default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--admin-token", defaultValue = "${env:WAVOICE_ADMIN_TOKEN}",
            description = "Admin token of that wavoice (env WAVOICE_ADMIN_TOKEN; not needed on loopback without one).")
    String adminToken;

    @Option(names = "--phone-number-id", description = "Business number to call from (default: the server's WHATSAPP_PHONE_NUMBER_ID).")
    String phoneNumberId;

    @Option(names = "--instructions", description = "What the agent is to do on this call.")
    String instructions;

    @Option(names = "--voice", description = "The agent's voice for this call.")
    String voice;

    @Option(names = "--first-message", description = "What the agent says first.")
    String firstMessage;

    @Option(names = "--callback-data", description = "Opaque data WhatsApp echoes in the call's webhooks.")
    String callbackData;

    @Option(names = "--request-permission", description = "Without call permission, send the user a permission request.")
    boolean requestPermission;

    @Option(names = "--dial-on-grant", description = "Without call permission, ask for it and dial when the user grants it.")
    boolean dialOnGrant;

    @Option(names = "--wait", description = "Follow the call until it ends, printing each state.")
    boolean await;

    @Option(names = "--wait-seconds", defaultValue = "600", description = "Give up following after this long (default ${DEFAULT-VALUE}).")
    int waitSeconds;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public Integer call() throws Exception {
        ObjectNode body = json.createObjectNode().put("to", to);
        putIfSet(body, "phone_number_id", phoneNumberId);
        putIfSet(body, "callback_data", callbackData);
        ObjectNode agent = json.createObjectNode();
        putIfSet(agent, "instructions", instructions);
        putIfSet(agent, "voice", voice);
        putIfSet(agent, "first_message", firstMessage);
        if (!agent.isEmpty()) {
            body.set("agent", agent);
        }
        body.put("request_permission", requestPermission).put("dial_on_grant", dialOnGrant);
        HttpResponse<String> placed = http.send(request("/api/calls")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(placed.body());
        if (placed.statusCode() / 100 != 2) {
            System.err.println("wavoice call: refused (HTTP " + placed.statusCode() + ")");
            return 1;
        }
        String callId = json.readTree(placed.body()).path("call_id").asText(null);
        if (!await || callId == null) {
            return 0;
        }
        return follow(callId);
    }

    /** Polls the call's row, printing each new state, until it ends. */
    private int follow(String callId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(request("/api/calls/" + callId).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                JsonNode call = json.readTree(r.body()).path("call");
                String state = call.path("state").asText();
                if (!state.equals(last)) {
                    System.out.println(state + (FINAL.contains(state) ? " " + call.path("endReason").asText()
                            + " " + call.path("endDetail").asText("") : ""));
                    last = state;
                }
                if (FINAL.contains(state)) {
                    return "caller_hangup".equals(call.path("endReason").asText())
                            || "agent_hangup".equals(call.path("endReason").asText()) ? 0 : 1;
                }
            }
            Thread.sleep(250);
        }
        System.err.println("wavoice call: still " + last + " after " + waitSeconds + " s");
        return 1;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve(path)).timeout(Duration.ofSeconds(30));
        if (adminToken != null && !adminToken.isBlank()) {
            b.header("Authorization", "Bearer " + adminToken.strip());
        }
        return b;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value);
        }
    }
}
