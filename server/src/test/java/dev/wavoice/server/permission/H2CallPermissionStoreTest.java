package dev.wavoice.server.permission;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The permission rows on the embedded default: an H2 file database. */
class H2CallPermissionStoreTest extends CallPermissionStoreContract {
    @TempDir
    static Path dir;

    @Override
    protected String jdbcUrl() {
        return "jdbc:h2:file:" + dir.resolve("wavoice");
    }
}
