package dev.wavoice.server.permission;

import static dev.wavoice.server.permission.PermissionFixtures.BSUID;
import static dev.wavoice.server.permission.PermissionFixtures.PHONE_NUMBER_ID;
import static dev.wavoice.server.permission.PermissionFixtures.USER;
import static dev.wavoice.server.permission.PermissionFixtures.text;
import static dev.wavoice.server.permission.PermissionFixtures.withExpiry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.testsupport.FakeGraphApi.Reply;
import dev.wavoice.server.whatsapp.GraphApiException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link CallPermissionService#check}: Meta's permission check answers, the stored row, and the cache. */
class CallPermissionCheckTest extends PermissionServiceFixture {

    @Test
    void permanentGrantMayDialAndIsStored() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200, text("check-permanent.json")));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isTrue();
        assertThat(d.status()).isEqualTo(PermissionStatus.PERMANENT);
        assertThat(d.expiresAt()).isNull();
        assertThat(d.callLimit()).isEqualTo(new ActionLimit("PT24H", 5, 2, null));
        assertThat(d.reason()).isNull();
        assertThat(d.mayRequestPermission()).isFalse();
        assertThat(d.fromCache()).isFalse();
        CallPermission row = store.find(PHONE_NUMBER_ID, USER).orElseThrow();
        assertThat(row.status()).isEqualTo(PermissionStatus.PERMANENT);
        assertThat(row.source()).isEqualTo(PermissionSource.GRAPH_CHECK);
        assertThat(row.checkedAt()).isEqualTo(NOW);
        assertThat(row.action(PermissionAction.START_CALL).canPerform()).isTrue();
    }

    @Test
    void temporaryGrantInForceMayDialUntilItsExpiry() throws Exception {
        Instant expiry = NOW.plus(Duration.ofDays(3));
        graph.permissionAnswer(USER, Reply.status(200, withExpiry("check-temporary.json", expiry)));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isTrue();
        assertThat(d.status()).isEqualTo(PermissionStatus.TEMPORARY);
        assertThat(d.expiresAt()).isEqualTo(expiry);
        assertThat(d.callLimit()).isEqualTo(new ActionLimit("PT24H", 5, 1, null));
        assertThat(store.find(PHONE_NUMBER_ID, USER).orElseThrow().expiresAt()).isEqualTo(expiry);
    }

    @Test
    void expiredTemporaryGrantIsNoPermission() throws Exception {
        // The fixture's expiration_time (1745343479, April 2025) is long before the test clock.
        graph.permissionAnswer(USER, Reply.status(200, text("check-temporary.json")));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isFalse();
        assertThat(d.status()).isEqualTo(PermissionStatus.NO_PERMISSION);
        assertThat(d.reason()).isEqualTo(
                "permission.status=no_permission (temporary permission expired at 2025-04-22T17:37:59Z)");
        assertThat(d.mayRequestPermission()).isTrue();
    }

    @Test
    void noPermissionMayNotDialButMayRequest() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200, text("check-no-permission.json")));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isFalse();
        assertThat(d.status()).isEqualTo(PermissionStatus.NO_PERMISSION);
        assertThat(d.reason()).isEqualTo("permission.status=no_permission");
        assertThat(d.mayRequestPermission()).isTrue();
        assertThat(d.requestLimit()).isEqualTo(new ActionLimit("PT24H", 1, 0, null));
    }

    @Test
    void exhaustedCallLimitStopsDiallingWithMetasFigures() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200,
                withExpiry("check-call-limit-exhausted.json", NOW.plus(Duration.ofDays(3)))));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isFalse();
        assertThat(d.status()).isEqualTo(PermissionStatus.TEMPORARY);
        assertThat(d.callLimit()).isEqualTo(new ActionLimit("PT24H", 5, 5, Instant.ofEpochSecond(1745622600)));
        assertThat(d.reason()).isEqualTo("start_call: can_perform_action=false (limit time_period=PT24H"
                + " current_usage=5 max_allowed=5 limit_expiration_time=2025-04-25T23:10:00Z)");
        assertThat(d.mayRequestPermission()).isFalse();
    }

    @Test
    void aFreshGrantIsAnsweredFromTheStoreUntilTheCacheTimePasses() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200, text("check-permanent.json")));

        assertThat(service.check(PHONE_NUMBER_ID, USER).fromCache()).isFalse();
        clock.advance(Duration.ofSeconds(59));
        PermissionDecision cached = service.check(PHONE_NUMBER_ID, USER);
        assertThat(cached.fromCache()).isTrue();
        assertThat(cached.mayDial()).isTrue();
        assertThat(permissionChecks()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(service.check(PHONE_NUMBER_ID, USER).fromCache()).isFalse();
        assertThat(permissionChecks()).isEqualTo(2);
    }

    @Test
    void noPermissionIsNeverAnsweredFromTheStore() throws Exception {
        service.check(PHONE_NUMBER_ID, USER);
        service.check(PHONE_NUMBER_ID, USER);

        assertThat(permissionChecks()).isEqualTo(2);
    }

    @Test
    void aGrantGoneBeforeItsExpiryIsRecordedAsRevoked() throws Exception {
        graph.permissionAnswer(USER, Reply.status(200, text("check-permanent.json")));
        service.check(PHONE_NUMBER_ID, USER);
        clock.advance(Duration.ofMinutes(5));
        graph.permissionAnswer(USER, Reply.status(200, text("check-no-permission.json")));

        PermissionDecision d = service.check(PHONE_NUMBER_ID, USER);

        assertThat(d.mayDial()).isFalse();
        assertThat(d.status()).isEqualTo(PermissionStatus.REVOKED);
        assertThat(d.reason()).contains("revoked");
        assertThat(store.find(PHONE_NUMBER_ID, USER).orElseThrow().status()).isEqualTo(PermissionStatus.REVOKED);
    }

    @Test
    void aPhoneNumberIsAskedAsUserWaIdAndABsuidAsRecipient() throws Exception {
        service.check(PHONE_NUMBER_ID, "+1 555 765 4321");
        service.check(PHONE_NUMBER_ID, BSUID);

        assertThat(graph.requests(r -> r.isPermissionCheck()).stream().map(r -> r.path() + "?" + r.query()))
                .containsExactly("/v23.0/" + PHONE_NUMBER_ID + "/call_permissions?user_wa_id=15557654321",
                        "/v23.0/" + PHONE_NUMBER_ID + "/call_permissions?recipient=" + BSUID);
        assertThat(graph.requests().getFirst().authorization()).isEqualTo("Bearer " + TOKEN);
    }

    @Test
    void metasRefusalComesBackWithItsCode() throws Exception {
        // Meta answers error 613 with HTTP 429: retried by the client's policy, then reported as Meta said.
        graph.permissionAnswer(USER, Reply.status(429, text("error-613-check-limit.json")));

        assertThatThrownBy(() -> service.check(PHONE_NUMBER_ID, USER))
                .isInstanceOfSatisfying(GraphApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(613);
                    assertThat(e.httpStatus()).isEqualTo(429);
                    assertThat(e.action()).isEqualTo("call_permissions");
                    assertThat(e.getMessage()).contains("Fetch Call Permission For Consumer Phone Number API Limit Hit");
                });
        assertThat(store.find(PHONE_NUMBER_ID, USER)).isEmpty();
    }

    @Test
    void anAnswerWithoutAStatusIsRefusedNotGuessed() {
        graph.permissionAnswer(USER, Reply.status(200, "{\"messaging_product\":\"whatsapp\",\"actions\":[]}"));

        assertThatThrownBy(() -> service.check(PHONE_NUMBER_ID, USER))
                .isInstanceOf(GraphApiException.class)
                .hasMessageContaining("permission.status missing or unknown");
    }

    @Test
    void aTemporaryGrantFromAReplyLapsesAtItsExpiry() throws Exception {
        reply("reply-accept-temporary.json", "wamid.reply1", NOW.minusSeconds(60));

        PermissionDecision granted = service.check(PHONE_NUMBER_ID, USER);
        assertThat(granted.mayDial()).isTrue();
        assertThat(granted.fromCache()).isTrue();
        assertThat(granted.expiresAt()).isEqualTo(Instant.ofEpochSecond(1764605400));
        assertThat(permissionChecks()).isZero();

        clock.set(Instant.ofEpochSecond(1764605400).plusSeconds(1));
        PermissionDecision lapsed = service.check(PHONE_NUMBER_ID, USER);
        assertThat(lapsed.mayDial()).isFalse();
        assertThat(lapsed.status()).as("an expired grant is no revocation").isEqualTo(PermissionStatus.NO_PERMISSION);
        assertThat(permissionChecks()).isEqualTo(1);
    }
}
