package dev.wavoice.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.testsupport.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The call-log contract on a real PostgreSQL, plus what only a server database can show: a restart. */
class PostgresCallLogStoreTest extends CallLogStoreContract {
    static PostgresServer pg;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    protected String jdbcUrl() {
        return pg.jdbcUrl();
    }

    @Test
    void writesQueuedWhileTheDatabaseRestartsAreAllStored() throws Exception {
        String id = "wacid." + UUID.randomUUID();
        log.saveCall(ringing(id, Instant.now()));
        log.event(id, "before.restart", null);
        assertThat(log.awaitDrained(Duration.ofSeconds(10))).isTrue();

        pg.stopServer();
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            log.event(id, "during.outage", Integer.toString(i)); // must return at once, not wait for the database
        }
        long enqueueMillis = (System.nanoTime() - t0) / 1_000_000;
        Thread.sleep(1500); // let the writer hit the dead database and start retrying
        assertThat(log.isDatabaseUp()).isFalse();
        assertThat(log.pending()).isGreaterThan(0);
        pg.startServer();

        assertThat(log.awaitDrained(Duration.ofSeconds(30))).isTrue();
        assertThat(log.lostWrites()).isZero();
        assertThat(repo.events(id)).hasSize(201);
        assertThat(enqueueMillis).as("enqueueing 200 writes during the outage (ms)").isLessThan(1000);
    }
}
