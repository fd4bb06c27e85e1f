package dev.wavoice.server.doctor;

import dev.wavoice.server.store.Database;
import org.flywaydb.core.Flyway;

/**
 * The call-log database answers and its migrations are current. Inside the server the server's own pool is asked;
 * from the command line a pool is opened for the check and closed after it.
 */
final class DatabaseCheck implements DoctorCheck {
    static final String NAME = "database";

    private final DoctorSetup setup;

    DatabaseCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() {
        Database own = setup.database() == null ? new Database(setup.config().dbUrl()) : null;
        Database db = own != null ? own : setup.database();
        try {
            if (!db.isReachable()) {
                return Check.fail(NAME, db.kind() + " not reachable at " + where(setup.config().dbUrl()),
                        "start the database or fix WAVOICE_DB_URL (host, port, user, password)");
            }
            int pending = Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load()
                    .info().pending().length;
            if (pending > 0) {
                return Check.warn(NAME, db.kind() + " reachable; " + pending + " migration(s) pending",
                        "wavoice serve applies them when it starts; if it runs already, see its log for db.migrated");
            }
            return Check.ok(NAME, db.kind() + " reachable; migrations current");
        } catch (RuntimeException e) {
            return Check.fail(NAME, db.kind() + ": " + setup.scrub(e.getMessage()),
                    "check WAVOICE_DB_URL and the database's log");
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    /** The URL without its parameters, which may carry a password. */
    static String where(String jdbcUrl) {
        int cut = jdbcUrl.length();
        for (char c : new char[] {'?', ';'}) {
            int i = jdbcUrl.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        String base = jdbcUrl.substring(0, cut);
        return base.replaceAll("//[^/@]*@", "//"); // user:password@host
    }
}
