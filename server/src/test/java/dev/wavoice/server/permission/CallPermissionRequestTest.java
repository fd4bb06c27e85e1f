package dev.wavoice.server.permission;

import static dev.wavoice.server.permission.PermissionFixtures.BSUID;
import static dev.wavoice.server.permission.PermissionFixtures.PHONE_NUMBER_ID;
import static dev.wavoice.server.permission.PermissionFixtures.USER;
import static dev.wavoice.server.permission.PermissionFixtures.json;
import static dev.wavoice.server.permission.PermissionFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.PermissionSettings;
import dev.wavoice.server.testsupport.FakeGraphApi;
import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.whatsapp.GraphApiException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link CallPermissionService#requestPermission}: which message goes out, and when none may. */
class CallPermissionRequestTest extends PermissionServiceFixture {
    static final String ORDER_TEXT = "We would like to call you about order ON-12853.";

    @Test
    void insideTheServiceWindowTheInteractiveRequestIsSent() throws Exception {
        inbound("wamid.in1", NOW.minus(Duration.ofHours(1)));
        graph.messageAnswer(USER, Reply.status(200, text("send-response.json")));

        PermissionRequestResult result = service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT);

        assertThat(result.kind()).isEqualTo(PermissionRequestResult.Kind.INTERACTIVE);
        assertThat(result.messageId()).isEqualTo(json("send-response.json").path("messages").path(0).path("id").asText());
        FakeGraphApi.Request sent = graph.requests(FakeGraphApi.Request::isMessage).getFirst();
        assertThat(sent.path()).isEqualTo("/v23.0/" + PHONE_NUMBER_ID + "/messages");
        assertThat(sent.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(sent.body()).isEqualTo(json("send-interactive-request.json"));
        assertThat(metrics.counter("wavoice.permission.requests", "kind", "interactive").count()).isEqualTo(1);
    }

    @Test
    void outsideTheServiceWindowTheConfiguredTemplateIsSent() throws Exception {
        service = serviceWith(new PermissionSettings("sample_cpr_template", "en_US", Duration.ofSeconds(60)));
        inbound("wamid.in2", NOW.minus(Duration.ofHours(25)));

        PermissionRequestResult result = service.requestPermission(PHONE_NUMBER_ID, USER, "Ada");

        assertThat(result.kind()).isEqualTo(PermissionRequestResult.Kind.TEMPLATE);
        assertThat(result.messageId()).startsWith("wamid.FAKE");
        assertThat(graph.requests(FakeGraphApi.Request::isMessage).getFirst().body())
                .isEqualTo(json("send-template-request.json"));
    }

    @Test
    void theWindowIsMeasuredFromTheUsersLastMessage() throws Exception {
        service = serviceWith(new PermissionSettings("sample_cpr_template", "en_US", Duration.ofSeconds(60)));
        inbound("wamid.old", NOW.minus(Duration.ofHours(30)));
        inbound("wamid.new", NOW.minus(Duration.ofHours(23)));
        inbound("wamid.late-redelivery", NOW.minus(Duration.ofHours(29)));

        assertThat(service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT).kind())
                .isEqualTo(PermissionRequestResult.Kind.INTERACTIVE);
        clock.advance(Duration.ofHours(1).plusSeconds(1));
        assertThat(service.requestPermission(PHONE_NUMBER_ID, USER, "Ada").kind())
                .isEqualTo(PermissionRequestResult.Kind.TEMPLATE);
    }

    @Test
    void outsideTheWindowWithoutATemplateNothingIsSentAndTheErrorSaysWhy() {
        assertThatThrownBy(() -> service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT))
                .isInstanceOfSatisfying(PermissionRequestException.class, e -> {
                    assertThat(e.reason()).isEqualTo(PermissionRequestException.Reason.NO_TEMPLATE);
                    assertThat(e.getMessage()).isEqualTo(USER + " is outside the 24 h customer-service window (last"
                            + " message from the user: never), where only a template can ask for call permission,"
                            + " and WAVOICE_PERMISSION_TEMPLATE is not set");
                });
        assertThat(messagesSent()).isZero();
    }

    @Test
    void anExhaustedRequestLimitIsRefusedWithMetasFigures() throws Exception {
        inbound("wamid.in3", NOW.minus(Duration.ofMinutes(5)));
        graph.permissionAnswer(USER, Reply.status(200, text("check-request-limit-exhausted.json")));

        assertThatThrownBy(() -> service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT))
                .isInstanceOfSatisfying(PermissionRequestException.class, e -> {
                    assertThat(e.reason()).isEqualTo(PermissionRequestException.Reason.REQUEST_LIMIT_REACHED);
                    assertThat(e.getMessage()).isEqualTo("Meta allows no call permission request to " + USER
                            + " now: send_call_permission_request can_perform_action=false (limit time_period=PT24H"
                            + " current_usage=1 max_allowed=1 limit_expiration_time=2025-04-25T23:10:00Z)");
                    assertThat(e.decision().requestLimit())
                            .isEqualTo(new ActionLimit("PT24H", 1, 1, Instant.ofEpochSecond(1745622600)));
                });
        assertThat(messagesSent()).isZero();
    }

    @Test
    void metasRefusalOfTheMessageComesBackWithItsCode() throws Exception {
        inbound("wamid.in4", NOW.minus(Duration.ofMinutes(5)));
        graph.messageAnswer(USER, Reply.status(400, text("error-138009-request-limit.json")));

        assertThatThrownBy(() -> service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(138009);
                    assertThat(e.httpStatus()).isEqualTo(400);
                    assertThat(e.action()).isEqualTo("messages.call_permission_request");
                    assertThat(e.attempts()).as("a 4xx is not retried").isEqualTo(1);
                });
    }

    @Test
    void aUserWhoAlreadyGrantedIsNotAskedAgain() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200, text("check-permanent.json")));

        PermissionRequestResult result = service.requestPermission(PHONE_NUMBER_ID, USER, ORDER_TEXT);

        assertThat(result.kind()).isEqualTo(PermissionRequestResult.Kind.ALREADY_GRANTED);
        assertThat(result.messageId()).isNull();
        assertThat(messagesSent()).isZero();
    }

    @Test
    void aBsuidIsAddressedAsRecipient() throws Exception {
        service = serviceWith(new PermissionSettings("sample_cpr_template", "en_US", Duration.ofSeconds(60)));

        service.requestPermission(PHONE_NUMBER_ID, BSUID, null);

        var body = graph.requests(FakeGraphApi.Request::isMessage).getFirst().body();
        assertThat(body.path("recipient").asText()).isEqualTo(BSUID);
        assertThat(body.has("to")).isFalse();
        assertThat(body.path("template").has("components")).as("no body text: the template as approved").isFalse();
    }
}
