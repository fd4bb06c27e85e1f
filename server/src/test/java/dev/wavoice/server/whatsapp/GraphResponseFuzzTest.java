package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.config.Secret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;

/**
 * Fuzzed Graph API responses (status, {@code Retry-After}, body) through what {@link GraphApiClient} reads of them:
 * the success body, a {@code connect}'s new call id, the error fields of a failure, and the retry delay. Invariants:
 * a body that is not JSON reads as an empty object, never an exception; a failure is described with its action and
 * status and never carries the access token; a connect answer yields a call id or a {@link GraphApiException};
 * {@code Retry-After} is a number of seconds or ignored.
 */
class GraphResponseFuzzTest {
    static final String TOKEN = "EAAG-fuzz-access-token";
    static final GraphApiClient GRAPH = new GraphApiClient(URI.create("http://127.0.0.1:9"), "v23.0",
            Secret.of(TOKEN), Duration.ofSeconds(1), Duration.ofSeconds(1), RetryPolicy.DEFAULT,
            WavoiceServer.objectMapper(), new SimpleMeterRegistry());

    @FuzzTest
    void graphResponsesAreReadOrDescribed(FuzzedDataProvider data) {
        int status = data.consumeInt(100, 599);
        String retryAfter = data.consumeString(24);
        byte[] body = data.consumeRemainingAsBytes();

        var parsed = GRAPH.parseOrEmpty(body);
        assertThat(parsed).isNotNull();
        try {
            assertThat(GraphApiClient.newCallId(parsed)).isEqualTo(parsed.path("calls").path(0).path("id").asText());
        } catch (GraphApiException e) {
            assertThat(e.action()).isEqualTo("connect");
        }

        GraphApiException failure = GRAPH.errorFrom("accept", status, body, 2);
        assertThat(failure.getMessage()).startsWith("Graph accept failed (HTTP " + status + ")")
                .endsWith("after 2 attempts").doesNotContain(TOKEN);
        assertThat(failure.httpStatus()).isEqualTo(status);
        if (body.length > 0) {
            assertThat(failure.getMessage()).as("a body always says something").contains(": ");
        }

        Duration delay = GraphApiClient.parseRetryAfter(retryAfter);
        if (delay != null) {
            assertThat(delay.getSeconds()).isEqualTo(Long.parseLong(retryAfter.trim()));
        }
    }
}
