package dev.wavoice.server.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The call-log contract on the embedded default: an H2 file database. */
class H2CallLogStoreTest extends CallLogStoreContract {
    @TempDir
    static Path dir;

    @Override
    protected String jdbcUrl() {
        return "jdbc:h2:file:" + dir.resolve("wavoice");
    }
}
