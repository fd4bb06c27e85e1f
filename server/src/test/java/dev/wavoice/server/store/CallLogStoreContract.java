package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The call-log behaviour every supported database must show; one subclass per database. */
abstract class CallLogStoreContract {
    protected Database database;
    protected CallLogRepository repo;
    protected QueuedCallLog log;
    protected SimpleMeterRegistry metrics;

    protected abstract String jdbcUrl();

    @BeforeEach
    void open() {
        database = new Database(jdbcUrl());
        repo = new CallLogRepository(database.dataSource());
        metrics = new SimpleMeterRegistry();
        log = new QueuedCallLog(repo, database::migrate, 10_000, metrics).start();
    }

    @AfterEach
    void closeAll() {
        log.close(Duration.ofSeconds(5));
        database.close();
    }

    static CallRecord ringing(String callId, Instant started) {
        return new CallRecord(callId, "USER_INITIATED", null, "US.13491208655302741918", "Ada Caller", "15550001111",
                "110000000000001", "RINGING", "local", started, null, null, null, null, null, "instance-a");
    }

    @Test
    void callRowIsInsertedThenUpdatedInPlace() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        log.saveCall(ringing(id, started));
        Instant ended = started.plusSeconds(92);
        log.saveCall(new CallRecord(id, "USER_INITIATED", null, "US.13491208655302741918", "Ada Caller", "15550001111",
                "110000000000001", "ENDED", "local", started, started.plusMillis(800), ended, "caller_hangup",
                "terminate webhook status=COMPLETED", 92_000L, "instance-a"));
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();

        CallRecord row = repo.findCall(id).orElseThrow();
        assertThat(row.state()).isEqualTo("ENDED");
        assertThat(row.callerPhone()).isNull();
        assertThat(row.callerBsuid()).isEqualTo("US.13491208655302741918");
        assertThat(row.startedAt()).isEqualTo(started);
        assertThat(row.endedAt()).isEqualTo(ended);
        assertThat(row.durationMs()).isEqualTo(92_000L);
        assertThat(row.endReason()).isEqualTo("caller_hangup");
        assertThat(row.ownerInstance()).isEqualTo("instance-a");
        assertThat(repo.recentCalls(1000)).extracting(CallRecord::callId).containsOnlyOnce(id);
    }

    @Test
    void eventsTranscriptsAndUsageAreStoredInOrderAndOnce() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        log.saveCall(ringing(id, t0));
        CallEventRecord first = new CallEventRecord(UUID.randomUUID(), id, t0, "webhook.connect", "caller=x");
        log.event(first);
        log.event(first); // a retried write must not duplicate the row
        log.event(new CallEventRecord(UUID.randomUUID(), id, t0.plusMillis(3), "graph.pre_accept", null));
        log.transcript(new TranscriptRecord(UUID.randomUUID(), id, t0.plusSeconds(1), "caller", "hello", true, false));
        log.transcript(new TranscriptRecord(UUID.randomUUID(), id, t0.plusSeconds(2), "assistant", "hi there, how c",
                true, true));
        log.usage(new UsageRecord(UUID.randomUUID(), id, t0.plusSeconds(3), 120, 80, 100, 60));
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();

        assertThat(repo.events(id)).extracting(CallEventRecord::type).containsExactly("webhook.connect", "graph.pre_accept");
        assertThat(repo.transcripts(id)).extracting(TranscriptRecord::speaker, TranscriptRecord::interrupted)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("caller", false),
                        org.assertj.core.groups.Tuple.tuple("assistant", true));
        assertThat(repo.usage(id)).singleElement().satisfies(u -> {
            assertThat(u.inputTokens()).isEqualTo(120);
            assertThat(u.outputAudioTokens()).isEqualTo(60);
        });
        assertThat(log.lostWrites()).isZero();
    }

    @Test
    void aBurstIsOneTransactionAndABadRowDoesNotTakeItsNeighboursWithIt() throws Exception {
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
        String id = "wacid." + UUID.randomUUID();
        long transactionsBefore = transactions();
        log.saveCall(ringing(id, Instant.now()));
        for (int i = 0; i < 20; i++) {
            log.event(id, "burst", Integer.toString(i));
        }
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
        assertThat(repo.events(id)).hasSize(20);
        assertThat(transactions() - transactionsBefore).as("transactions for 21 writes queued together")
                .isLessThanOrEqualTo(2);

        // A row no retry can store (no call id), queued between good ones: only it is lost.
        log.event(id, "before.bad", null);
        log.saveCall(new CallRecord(null, "USER_INITIATED", null, null, null, "1555", "1", "RINGING", "echo",
                Instant.now(), null, null, null, null, null, "instance-a"));
        log.event(id, "after.bad", null);
        assertThat(log.awaitDrained(Duration.ofSeconds(20))).isTrue();
        assertThat(repo.events(id)).extracting(CallEventRecord::type).contains("before.bad", "after.bad");
        assertThat(log.lostWrites()).isEqualTo(1);
    }

    private long transactions() {
        return metrics.get("wavoice.calllog.batch.writes").summary().count();
    }

    @Test
    void oversizedTextIsTruncatedNotLost() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        log.saveCall(ringing(id, Instant.now()));
        log.event(id, "call.ended", "x".repeat(10_000));
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
        assertThat(repo.events(id)).singleElement().satisfies(e -> assertThat(e.detail()).hasSize(4000));
        assertThat(log.lostWrites()).isZero();
    }

    @Test
    void aWebhookDeliveryIsFirstOnceWhicheverInstanceSeesItAndCanBeForgotten() throws Exception {
        log.awaitDrained(Duration.ofSeconds(10)); // the schema is in place
        ClusterStore a = new ClusterStore(database.dataSource());
        ClusterStore b = new ClusterStore(new Database(jdbcUrl()).dataSource()); // another instance's pool
        String key = "wacid." + UUID.randomUUID() + "|connect|1764000000";
        Instant now = Instant.now();
        assertThat(a.firstDelivery(key, now)).isTrue();
        assertThat(b.firstDelivery(key, now)).as("the redelivery, on another instance").isFalse();
        a.forgetDelivery(key);
        assertThat(b.firstDelivery(key, now)).as("forgotten after a failed hand-over").isTrue();
        assertThat(a.pruneDeliveries(now.plusSeconds(1))).isGreaterThanOrEqualTo(1);
        assertThat(a.firstDelivery(key, now)).isTrue();
    }

    @Test
    void heartbeatsAreUpsertedAndALostInstanceIsClaimedExactlyOnce() throws Exception {
        log.awaitDrained(Duration.ofSeconds(10));
        ClusterStore store = new ClusterStore(database.dataSource());
        String lost = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        store.heartbeat(new ClusterStore.InstanceRecord(lost, "http://127.0.0.1:1", 2, 5, false, t0, t0, null));
        store.heartbeat(new ClusterStore.InstanceRecord(lost, "http://127.0.0.1:1", 3, 5, true, t0, t0.plusSeconds(1),
                null));
        ClusterStore.InstanceRecord row = store.instances().stream().filter(r -> r.instanceId().equals(lost))
                .findFirst().orElseThrow();
        assertThat(row.liveCalls()).isEqualTo(3);
        assertThat(row.draining()).isTrue();
        assertThat(row.heartbeatAt()).isEqualTo(t0.plusSeconds(1));

        assertThat(store.claimLost(lost, "survivor-1", t0)).as("heartbeat not yet expired").isFalse();
        // Several survivors race for the same lost instance: exactly one wins.
        var claims = java.util.stream.IntStream.range(0, 8).parallel()
                .mapToObj(i -> {
                    try {
                        return store.claimLost(lost, "survivor-" + i, t0.plusSeconds(30));
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }).filter(Boolean::booleanValue).count();
        assertThat(claims).isEqualTo(1);
        assertThat(store.instances()).filteredOn(r -> r.instanceId().equals(lost))
                .singleElement().satisfies(r -> assertThat(r.takenOverBy()).startsWith("survivor-"));
        store.remove(lost);
        assertThat(store.instances()).noneMatch(r -> r.instanceId().equals(lost));
    }

    @Test
    void openCallsAreFoundByOwner() throws Exception {
        String owner = "owner-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        CallRecord live = new CallRecord("wacid." + UUID.randomUUID(), "USER_INITIATED", "1555", null, null, "1555",
                "1", "CONNECTED", "echo", t0, t0, null, null, null, null, owner);
        CallRecord done = new CallRecord("wacid." + UUID.randomUUID(), "USER_INITIATED", "1555", null, null, "1555",
                "1", "ENDED", "echo", t0, t0, t0, "caller_hangup", null, 0L, owner);
        log.saveCall(live);
        log.saveCall(done);
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
        assertThat(repo.openCallsOwnedBy(owner)).extracting(CallRecord::callId).containsExactly(live.callId());
        assertThat(repo.openCalls(1000)).extracting(CallRecord::callId).contains(live.callId())
                .doesNotContain(done.callId());
    }
}
