package dev.wavoice.server.whatsapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Meta's permission errors as {@code connect} and the permission edges return them (fixtures in
 * {@code whatsapp/permissions/}): each arrives as a {@link GraphApiException} with Meta's code and words intact, so
 * the caller can tell "no permission" from "limit reached" without parsing text.
 */
class GraphPermissionErrorsTest {
    static final String PHONE_ID = "110000000000001";
    static final String USER = "15557654321";

    FakeGraphApi fake;
    GraphApiClient client;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeGraphApi();
        client = new GraphApiClient(fake.url(), "v23.0", Secret.of("EAAG-errors-token"), Duration.ofSeconds(1),
                Duration.ofSeconds(2), new RetryPolicy(2, Duration.ofMillis(5), Duration.ofMillis(20)),
                new ObjectMapper(), new SimpleMeterRegistry());
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    @Test
    void connectWithoutPermissionIs138006() {
        fake.then(Reply.status(400, fixture("error-138006-no-permission.json")));

        assertThatThrownBy(() -> client.connect(PHONE_ID, USER, "v=0\r\n", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(138006);
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.action()).isEqualTo("connect");
                    assertThat(e.attempts()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("No approved call permission from the recipient");
                });
    }

    @Test
    void connectOverTheCallLimitIs138012() {
        fake.then(Reply.status(400, fixture("error-138012-call-limit.json")));

        assertThatThrownBy(() -> client.connect(PHONE_ID, USER, "v=0\r\n", null))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(138012);
                    assertThat(e.getMessage()).contains("Limit reached for maximum business initiated calls");
                });
    }

    @Test
    void aPermissionRequestOverTheLimitIs138009() {
        fake.messageAnswer(USER, Reply.status(400, fixture("error-138009-request-limit.json")));
        var body = new ObjectMapper().createObjectNode().put("messaging_product", "whatsapp").put("to", USER);

        assertThatThrownBy(() -> client.sendMessage(PHONE_ID, "call_permission_request", body))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(138009);
                    assertThat(e.action()).isEqualTo("messages.call_permission_request");
                });
    }

    @Test
    void aSuccessfulSendWithoutAMessageIdIsAnError() {
        fake.messageAnswer(USER, Reply.status(200, "{\"messaging_product\":\"whatsapp\",\"messages\":[]}"));
        var body = new ObjectMapper().createObjectNode().put("messaging_product", "whatsapp").put("to", USER);

        assertThatThrownBy(() -> client.sendMessage(PHONE_ID, "template", body))
                .isInstanceOf(GraphApiException.class)
                .hasMessageContaining("without messages[0].id");
    }

    private static String fixture(String name) {
        try (InputStream in = GraphPermissionErrorsTest.class.getResourceAsStream("/whatsapp/permissions/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
