package dev.wavoice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.media.CallMediaFactory;
import dev.wavoice.server.testsupport.FakeGraphApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up: {@code /ready} stays false until it is over, and its self-calls go through the real answer
 * path without becoming calls (no row in the call log, no call in the metrics, nothing sent to Graph).
 */
@Timeout(90)
class StartupWarmupTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void notReadyUntilTheSelfCallsAreOverAndTheyLeaveNoCallBehind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (FakeGraphApi graph = new FakeGraphApi();
             WavoiceServer server = gatedServer(config(graph, AgentKind.PCM_ECHO, true), release).start()) {
            awaitMigrated(server);
            // The schema is in place, the HTTP port answers, the self-calls are held back: not ready yet.
            HttpResponse<String> early = get(server, "/ready");
            assertThat(early.statusCode()).isEqualTo(503);
            assertThat(early.body()).contains("\"status\":\"warming\"");
            assertThat(server.warmedUp()).isNotDone();

            release.countDown();
            StartupWarmup.Outcome outcome = server.warmedUp().get(60, TimeUnit.SECONDS);
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.selfCalls()).isPositive(); // how many fit in the time budget depends on the machine
            assertThat(outcome.httpStatus()).as("signed webhooks of no call, through the Graph client").isEqualTo(200);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);

            server.callLog().awaitDrained(Duration.ofSeconds(5));
            assertThat(server.repository().countCalls()).isZero();
            assertThat(server.metrics().find("wavoice.calls.started").counters()).isEmpty();
            assertThat(server.metrics().find("wavoice.calls").counters()).isEmpty();
            assertThat(server.metrics().find("wavoice.webhook.changes").tag("field", "calls").counters()).isEmpty();
            assertThat(server.calls().size()).isZero();
            assertThat(graph.requests()).isEmpty();
        }
    }

    @Test
    void theEchoLineWarmsUpWithoutACodec() throws Exception {
        try (FakeGraphApi graph = new FakeGraphApi();
             WavoiceServer server = WavoiceServer.create(config(graph, AgentKind.ECHO, true), agent()).start()) {
            StartupWarmup.Outcome outcome = server.warmedUp().get(60, TimeUnit.SECONDS);
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.selfCalls()).isPositive();
            awaitMigrated(server);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withTheWarmUpOffTheServerIsReadyWithoutSelfCalls() throws Exception {
        try (FakeGraphApi graph = new FakeGraphApi();
             WavoiceServer server = WavoiceServer.create(config(graph, AgentKind.ECHO, false), agent()).start()) {
            assertThat(server.warmedUp()).isDone();
            assertThat(server.warmedUp().get()).isNull();
            awaitMigrated(server);
            assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
        }
    }

    /** The media as {@code wavoice serve} opens it, with the self-calls held until {@code release}. */
    private static WavoiceServer gatedServer(WavoiceConfig config, CountDownLatch release) {
        return new WavoiceServer(config, (callLog, timers, health, registry) -> {
            CallMediaFactory.Opened opened = CallMediaFactory.open(config, agent(), callLog, timers, health, registry);
            return new CallMediaFactory.Opened(opened.media(), opened.resources(), opened.agentCheck(), (id, t) -> {
                release.await();
                return opened.selfCall().run(id, t);
            }, opened.dtlsWarmup(), opened.agentNames());
        });
    }

    private WavoiceConfig config(FakeGraphApi graph, AgentKind agent, boolean warmup) {
        return WavoiceConfig.builder()
                .httpHost("127.0.0.1").httpPort(0)
                .mediaHost("127.0.0.1").mediaPort(0)
                .dbUrl("jdbc:h2:file:" + dir.resolve("wavoice"))
                .appSecret("secret").accessToken("token").phoneNumberId("1")
                .graphUrl(graph.url())
                .agent(agent)
                .warmup(warmup)
                .build();
    }

    private static AgentConfig agent() {
        return AgentConfig.defaults(URI.create("ws://127.0.0.1:9/unused"), Secret.none());
    }

    private static void awaitMigrated(WavoiceServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!server.callLog().isMigrated() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.callLog().isMigrated()).isTrue();
    }

    private static HttpResponse<String> get(WavoiceServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
