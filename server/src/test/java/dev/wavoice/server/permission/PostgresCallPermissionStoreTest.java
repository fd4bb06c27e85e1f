package dev.wavoice.server.permission;

import dev.wavoice.server.testsupport.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The permission rows on a real PostgreSQL: the same SQL and migration as on H2. */
class PostgresCallPermissionStoreTest extends CallPermissionStoreContract {
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
}
