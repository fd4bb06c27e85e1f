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

    protected abstract String jdbcUrl();

    @BeforeEach
    void open() {
        database = new Database(jdbcUrl());
        repo = new CallLogRepository(database.dataSource());
        log = new QueuedCallLog(repo, database::migrate, 10_000, new SimpleMeterRegistry()).start();
    }

    @AfterEach
    void closeAll() {
        log.close(Duration.ofSeconds(5));
        database.close();
    }

    static CallRecord ringing(String callId, Instant started) {
        return new CallRecord(callId, "USER_INITIATED", null, "US.13491208655302741918", "Ada Caller", "15550001111",
                "110000000000001", "RINGING", "local", started, null, null, null, null, null);
    }

    @Test
    void callRowIsInsertedThenUpdatedInPlace() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        Instant started = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        log.saveCall(ringing(id, started));
        Instant ended = started.plusSeconds(92);
        log.saveCall(new CallRecord(id, "USER_INITIATED", null, "US.13491208655302741918", "Ada Caller", "15550001111",
                "110000000000001", "ENDED", "local", started, started.plusMillis(800), ended, "caller_hangup",
                "terminate webhook status=COMPLETED", 92_000L));
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();

        CallRecord row = repo.findCall(id).orElseThrow();
        assertThat(row.state()).isEqualTo("ENDED");
        assertThat(row.callerPhone()).isNull();
        assertThat(row.callerBsuid()).isEqualTo("US.13491208655302741918");
        assertThat(row.startedAt()).isEqualTo(started);
        assertThat(row.endedAt()).isEqualTo(ended);
        assertThat(row.durationMs()).isEqualTo(92_000L);
        assertThat(row.endReason()).isEqualTo("caller_hangup");
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
    void oversizedTextIsTruncatedNotLost() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        log.saveCall(ringing(id, Instant.now()));
        log.event(id, "call.ended", "x".repeat(10_000));
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();
        assertThat(repo.events(id)).singleElement().satisfies(e -> assertThat(e.detail()).hasSize(4000));
        assertThat(log.lostWrites()).isZero();
    }
}
