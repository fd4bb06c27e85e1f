package dev.wavoice.server.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.web.ExtraRoutes;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** A whole wavoice server on loopback with an H2 file database and a fake Graph API, for end-to-end tests. */
public final class TestServer implements AutoCloseable {
    public static final String APP_SECRET = "test-app-secret";
    public static final String VERIFY_TOKEN = "test-verify-token";
    public static final String ACCESS_TOKEN = "EAAG-test-access-token";

    private static final ObjectMapper JSON = new ObjectMapper();
    public final FakeGraphApi graph;
    public final WavoiceServer server;
    public final WavoiceConfig config;
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebhookSignature signature = new WebhookSignature(APP_SECRET);

    /** @param media the call media, or null for what the configuration chooses (as {@code wavoice serve}) */
    public TestServer(Path dbDir, CallMedia media, UnaryOperator<WavoiceConfig.Builder> tweak) throws IOException {
        this(dbDir, media, null, tweak);
    }

    /**
     * @param media the call media, or null for what the configuration chooses (as {@code wavoice serve})
     * @param agent the agent settings when the media is chosen by the configuration; null for the environment's
     */
    public TestServer(Path dbDir, CallMedia media, AgentConfig agent, UnaryOperator<WavoiceConfig.Builder> tweak)
            throws IOException {
        this(dbDir, tweak, config -> media != null ? new WavoiceServer(config, media)
                : agent != null ? WavoiceServer.create(config, agent) : WavoiceServer.create(config));
    }

    /** With the agents given per WhatsApp number (the directory made from the built configuration). */
    public static TestServer withAgents(Path dbDir, UnaryOperator<WavoiceConfig.Builder> tweak,
            Function<WavoiceConfig, AgentDirectory> agents) throws IOException {
        return new TestServer(dbDir, tweak,
                config -> WavoiceServer.create(config, agents.apply(config), ExtraRoutes.NONE));
    }

    private interface ServerMaker {
        WavoiceServer make(WavoiceConfig config) throws IOException;
    }

    private TestServer(Path dbDir, UnaryOperator<WavoiceConfig.Builder> tweak, ServerMaker maker) throws IOException {
        graph = new FakeGraphApi();
        WavoiceConfig.Builder b = WavoiceConfig.builder()
                .httpHost("127.0.0.1")
                .httpPort(0)
                .mediaPort(0)
                .mediaHost("127.0.0.1")
                .dbUrl("jdbc:h2:file:" + dbDir.resolve("wavoice"))
                .appSecret(APP_SECRET)
                .verifyToken(VERIFY_TOKEN)
                .accessToken(ACCESS_TOKEN)
                .graphUrl(graph.url());
        config = tweak.apply(b).build();
        // No media given: the server chooses as `wavoice serve` does, from the configuration.
        server = maker.make(config).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!server.callLog().isMigrated()) { // what /ready reports: the schema is in place
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("call log never became ready");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + pathAndQuery);
    }

    public HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri(pathAndQuery)).GET();
        if (headers.length > 0) {
            rb.headers(headers);
        }
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postSigned(String body) throws IOException, InterruptedException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return post(bytes, signature.sign(bytes));
    }

    public HttpResponse<String> post(byte[] body, String signatureHeader) throws IOException, InterruptedException {
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri("/webhook"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signatureHeader != null) {
            rb.header(WebhookSignature.HEADER, signatureHeader);
        }
        return http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String sign(byte[] body) {
        return signature.sign(body);
    }

    /** Waits (bounded) until the call's row satisfies the check, the writes being asynchronous. */
    public CallRecord awaitCall(String callId, java.util.function.Predicate<CallRecord> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Optional<CallRecord> row = Optional.empty();
        while (System.nanoTime() < deadline) {
            server.callLog().awaitDrained(Duration.ofSeconds(2));
            row = server.repository().findCall(callId);
            if (row.isPresent() && done.test(row.get())) {
                return row.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("call " + callId + " never reached the expected state; last row: " + row);
    }

    /**
     * Rings a call as Meta would: a signed connect webhook carrying the caller's {@code offer}, then waits (bounded)
     * for the {@code pre_accept} the fake Graph API receives; its {@link FakeGraphApi.Request#sdp()} is the answer
     * Meta hands to the caller's side.
     */
    public FakeGraphApi.Request ring(String callId, String timestamp, String offer) throws Exception {
        postConnect(callId, timestamp, offer);
        return awaitPreAccept(callId);
    }

    private FakeGraphApi.Request awaitPreAccept(String callId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<FakeGraphApi.Request> preAccept = graph.requests(
                    r -> "pre_accept".equals(r.action()) && callId.equals(r.callId())).stream().findFirst();
            if (preAccept.isPresent()) {
                return preAccept.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no pre_accept for " + callId + "; Graph saw " + graph.actions());
    }

    /** As {@link #ring}, for a call to the business's WhatsApp number {@code phoneNumberId}. */
    public FakeGraphApi.Request ringOn(String phoneNumberId, String callId, String timestamp, String offer)
            throws Exception {
        postSigned(connectWebhook(callId, timestamp, v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", offer);
            ((ObjectNode) v.path("metadata")).put("phone_number_id", phoneNumberId);
            return v;
        }));
        return awaitPreAccept(callId);
    }

    /** Posts a signed connect webhook carrying the caller's {@code offer}, as Meta would. */
    public HttpResponse<String> postConnect(String callId, String timestamp, String offer) throws Exception {
        return postSigned(connectWebhook(callId, timestamp, v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", offer);
            return v;
        }));
    }

    /** connect.json with another call id, timestamp, or caller fields; everything else as the fixture. */
    public static String connectWebhook(String callId, String timestamp, UnaryOperator<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Fixtures.whatsappText("connect.json"));
        ObjectNode value = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value");
        ObjectNode call = (ObjectNode) value.path("calls").path(0);
        call.put("id", callId);
        call.put("timestamp", timestamp);
        edit.apply(value);
        return JSON.writeValueAsString(root);
    }

    public static String terminateWebhook(String callId, String status, Long duration) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Fixtures.whatsappText("terminate-completed.json"));
        ObjectNode call = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value").path("calls").path(0);
        call.put("id", callId);
        call.put("status", status);
        if (duration == null) {
            call.remove("duration");
        } else {
            call.put("duration", duration);
        }
        return JSON.writeValueAsString(root);
    }

    /** The fake Graph answers every permission check about {@code user} with a permanent grant (Meta's shape). */
    public void permits(String user) throws IOException {
        try (var in = TestServer.class.getResourceAsStream("/whatsapp/permissions/check-permanent.json")) {
            graph.permissionAnswer(user, FakeGraphApi.Reply.status(200,
                    new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
    }

    /** {@code POST /api/calls} with {@code json}: the business places a call. */
    public HttpResponse<String> placeCall(String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/api/calls")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The offer wavoice sent in Graph {@code connect} for the call WhatsApp knows as {@code waCallId} (the fake Graph
     * names each call it is asked to place {@code wacid.FAKE-<n>}).
     */
    public String offerSentFor(String waCallId) {
        int n = Integer.parseInt(waCallId.substring(waCallId.lastIndexOf('-') + 1));
        return graph.requests(r -> "connect".equals(r.action())).get(n - 1).sdp();
    }

    /** business-initiated-connect.json for {@code waCallId}: the user picked up, {@code answer} is their SDP. */
    public static String answerWebhook(String waCallId, String timestamp, String answer) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Fixtures.whatsappText("business-initiated-connect.json"));
        ObjectNode call = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value").path("calls")
                .path(0);
        call.put("id", waCallId);
        call.put("timestamp", timestamp);
        ((ObjectNode) call.path("session")).put("sdp", answer);
        return JSON.writeValueAsString(root);
    }

    /** status-ringing.json for {@code waCallId} with another status ({@code RINGING}, {@code ACCEPTED}, …). */
    public static String statusWebhook(String waCallId, String status, String timestamp) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Fixtures.whatsappText("status-ringing.json"));
        ObjectNode st = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value")
                .path("statuses").path(0);
        st.put("id", waCallId);
        st.put("status", status);
        st.put("timestamp", timestamp);
        return JSON.writeValueAsString(root);
    }

    @Override
    public void close() {
        server.close();
        graph.close();
    }
}
