package dev.wavoice.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.TestServer;
import dev.wavoice.server.whatsapp.WebhookSignature;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What the kill -9 tests share: a fake Graph API, {@code wavoice serve} processes (echo agent) started on one
 * database, and Pion edges playing WhatsApp's media edge, all closed together.
 */
final class CrashFixture implements AutoCloseable {
    static final Duration T = Duration.ofSeconds(30);

    final HttpClient http = HttpClient.newHttpClient();
    final FakeGraphApi graph;
    private final Path dir;
    private final String secret;
    private final WebhookSignature signature;
    private final List<ServeProcess> processes = new ArrayList<>();
    private final List<PionPeer> edges = new ArrayList<>();

    CrashFixture(Path dir, String secret) throws Exception {
        PionPeer.binary();
        this.dir = dir;
        this.secret = secret;
        this.signature = new WebhookSignature(secret);
        this.graph = new FakeGraphApi();
    }

    ServeProcess start(String instanceId, String dbUrl) throws Exception {
        ServeProcess p = ServeProcess.start(instanceId, dir, Map.of("WAVOICE_DB_URL", dbUrl,
                "WHATSAPP_APP_SECRET", secret, "WHATSAPP_ACCESS_TOKEN", "EAAG-" + instanceId,
                "WHATSAPP_GRAPH_URL", graph.url().toString(), "WAVOICE_AGENT", "echo"));
        processes.add(p);
        p.awaitReady(http, T);
        return p;
    }

    PionPeer edge(PionPeer.Options options) throws Exception {
        PionPeer edge = PionPeer.start(options);
        edges.add(edge);
        return edge;
    }

    /** The connect webhook of a call whose offer is the edge's. */
    String connectWebhook(String callId, PionPeer edge) throws Exception {
        String offer = edge.offer(T);
        return TestServer.connectWebhook(callId, "1764003000", v -> {
            ((ObjectNode) v.withArray("calls").get(0).get("session")).put("sdp", offer);
            return v;
        });
    }

    /** Hands the edge the answer wavoice pre-accepted the call with, and waits until its media is up. */
    void answerEdge(String callId, PionPeer edge) throws Exception {
        FakeGraphApi.Request preAccept = await().atMost(T).until(() -> graph.requests(r -> callId.equals(r.callId())
                && "pre_accept".equals(r.action())).stream().findFirst().orElse(null), r -> r != null);
        edge.sendAnswer(preAccept.sdp());
        edge.awaitConnected(T);
    }

    /** Posts a signed webhook and checks its 200. */
    void post(ServeProcess serve, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int status = http.send(HttpRequest.newBuilder(serve.uri("/webhook")).header("Content-Type", "application/json")
                .header(WebhookSignature.HEADER, signature.sign(bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        assertThat(status).isEqualTo(200);
    }

    long terminates(String callId) {
        return graph.requests(r -> callId.equals(r.callId()) && "terminate".equals(r.action())).size();
    }

    static CallLogSnapshot awaitSnapshot(String dbUrl, Predicate<CallLogSnapshot> done) {
        return await().atMost(T).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> CallLogSnapshot.read(dbUrl), done);
    }

    @Override
    public void close() throws Exception {
        for (PionPeer e : edges) {
            e.close();
        }
        for (ServeProcess p : processes) {
            p.close();
        }
        graph.close();
    }
}
