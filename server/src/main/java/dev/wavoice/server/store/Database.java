package dev.wavoice.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The call-log database: a pooled {@link javax.sql.DataSource} plus Flyway migrations. Connection waits are
 * short on purpose: when the database is down the writer should notice in a second and queue, not hang.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource dataSource;
    private final String kind;

    public Database(String jdbcUrl) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl.startsWith("jdbc:h2:") ? writeThrough(jdbcUrl) : jdbcUrl);
        cfg.setPoolName("wavoice-calllog");
        cfg.setMaximumPoolSize(4);
        cfg.setMinimumIdle(1);
        cfg.setConnectionTimeout(Duration.ofSeconds(2).toMillis());
        cfg.setValidationTimeout(Duration.ofSeconds(1).toMillis());
        // Start even when the database is unreachable: calls must not depend on it.
        cfg.setInitializationFailTimeout(-1);
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            cfg.setUsername("sa");
            cfg.setPassword("");
        }
        this.kind = jdbcUrl.startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
        this.dataSource = new HikariDataSource(cfg);
    }

    /**
     * H2 keeps a commit in its own memory for up to its write delay (500 ms by default) before writing it to the
     * file, so a process killed right after a commit loses it: measured, every row committed in the last ~50 ms
     * before a kill -9 was gone. The call log commits once per batch, so writing each commit through costs little;
     * the operating system's cache still holds it when the process dies (a power cut is another matter).
     */
    static String writeThrough(String h2Url) {
        return h2Url.toUpperCase(Locale.ROOT).contains(";WRITE_DELAY=") ? h2Url : h2Url + ";WRITE_DELAY=0";
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** {@code h2} or {@code postgresql}. */
    public String kind() {
        return kind;
    }

    /** Applies pending migrations; throws when the database cannot be reached. */
    public void migrate() {
        var result = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        log.info("db.migrated kind={} applied={}", kind, result.migrationsExecuted);
    }

    /** A cheap liveness probe for {@code /ready}. */
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
