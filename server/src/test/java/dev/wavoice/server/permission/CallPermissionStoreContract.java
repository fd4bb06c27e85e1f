package dev.wavoice.server.permission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.WavoiceServer;
import dev.wavoice.server.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The permission rows every supported database must keep alike (migration V4, real SQL); one subclass each. */
abstract class CallPermissionStoreContract {
    static final String PHONE_NUMBER_ID = "110000000000001";
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final String ACTIONS = "[{\"action_name\":\"start_call\",\"can_perform_action\":false,\"limits\":"
            + "[{\"time_period\":\"PT24H\",\"max_allowed\":5,\"current_usage\":5,\"limit_expiration_time\":1745622600}]}]";

    Database database;
    CallPermissionStore store;
    /** Each case its own user: a server database outlives one case. */
    String user;

    protected abstract String jdbcUrl();

    @BeforeEach
    void open() {
        database = new Database(jdbcUrl());
        database.migrate();
        store = new CallPermissionStore(database.dataSource(), WavoiceServer.objectMapper());
        user = "1555" + Math.abs(UUID.randomUUID().getLeastSignificantBits() % 10_000_000L);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aCheckIsStoredWithMetasActionsThenUpdatedInPlace() throws Exception {
        store.saveCheck(PHONE_NUMBER_ID, user, PermissionStatus.TEMPORARY, T0.plus(Duration.ofDays(7)), ACTIONS, T0);
        store.saveCheck(PHONE_NUMBER_ID, user, PermissionStatus.PERMANENT, null, "[]", T0.plusSeconds(90));

        CallPermission row = store.find(PHONE_NUMBER_ID, user).orElseThrow();
        assertThat(row.status()).isEqualTo(PermissionStatus.PERMANENT);
        assertThat(row.expiresAt()).isNull();
        assertThat(row.actions()).isEmpty();
        assertThat(row.source()).isEqualTo(PermissionSource.GRAPH_CHECK);
        assertThat(row.updatedAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(row.checkedAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(store.list(500).stream().filter(p -> p.user().equals(user))).hasSize(1);
    }

    @Test
    void actionsAndLimitsComeBackAsMetaSentThem() throws Exception {
        store.saveCheck(PHONE_NUMBER_ID, user, PermissionStatus.TEMPORARY, T0.plus(Duration.ofDays(7)), ACTIONS, T0);

        PermissionAction startCall = store.find(PHONE_NUMBER_ID, user).orElseThrow().action(PermissionAction.START_CALL);
        assertThat(startCall.canPerform()).isFalse();
        assertThat(startCall.limits()).containsExactly(
                new ActionLimit("PT24H", 5, 5, Instant.ofEpochSecond(1745622600)));
    }

    @Test
    void aReplyReplacesTheStatusAndDropsTheStaleActionsButKeepsTheWindow() throws Exception {
        store.recordInbound(PHONE_NUMBER_ID, user, T0);
        store.saveCheck(PHONE_NUMBER_ID, user, PermissionStatus.NO_PERMISSION, null, ACTIONS, T0.plusSeconds(10));
        store.saveReply(PHONE_NUMBER_ID, user, PermissionStatus.TEMPORARY, T0.plus(Duration.ofDays(7)),
                T0.plusSeconds(20));

        CallPermission row = store.find(PHONE_NUMBER_ID, user).orElseThrow();
        assertThat(row.status()).isEqualTo(PermissionStatus.TEMPORARY);
        assertThat(row.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(7)));
        assertThat(row.source()).isEqualTo(PermissionSource.WEBHOOK_REPLY);
        assertThat(row.actions()).isEmpty();
        assertThat(row.checkedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(row.lastInboundAt()).isEqualTo(T0);
    }

    @Test
    void theLastInboundMessageOnlyMovesForward() throws Exception {
        store.recordInbound(PHONE_NUMBER_ID, user, T0);
        CallPermission first = store.find(PHONE_NUMBER_ID, user).orElseThrow();
        assertThat(first.status()).isEqualTo(PermissionStatus.NO_PERMISSION);
        assertThat(first.source()).isEqualTo(PermissionSource.INBOUND_MESSAGE);

        store.recordInbound(PHONE_NUMBER_ID, user, T0.plusSeconds(300));
        store.recordInbound(PHONE_NUMBER_ID, user, T0.plusSeconds(100)); // a late redelivery

        assertThat(store.find(PHONE_NUMBER_ID, user).orElseThrow().lastInboundAt()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void rowsAreKeptPerBusinessNumberAndListedNewestFirst() throws Exception {
        store.saveReply(PHONE_NUMBER_ID, user, PermissionStatus.REJECTED, null, T0);
        store.saveReply("110000000000009", user, PermissionStatus.PERMANENT, null, T0.plusSeconds(5));

        assertThat(store.find(PHONE_NUMBER_ID, user).orElseThrow().status()).isEqualTo(PermissionStatus.REJECTED);
        assertThat(store.list(500).stream().filter(p -> p.user().equals(user)).map(CallPermission::phoneNumberId))
                .containsExactly("110000000000009", PHONE_NUMBER_ID);
        assertThat(store.find(PHONE_NUMBER_ID, "15550000000")).isEmpty();
    }
}
