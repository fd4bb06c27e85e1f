package dev.wavoice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.testsupport.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminAccessTest {
    @TempDir
    Path dir;

    @Test
    void aConfiguredTokenIsRequired() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b.adminToken("admin-123"))) {
            assertThat(t.get("/api/calls").statusCode()).isEqualTo(401);
            assertThat(t.get("/api/calls", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(t.get("/api/calls", "Authorization", "Bearer admin-123").statusCode()).isEqualTo(200);
            assertThat(t.get("/health").statusCode()).isEqualTo(200); // probes stay open
        }
    }

    @Test
    void withoutATokenANonLoopbackServerRefusesTheAdminApi() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b.httpHost("0.0.0.0"))) {
            var r = t.get("/api/calls");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("WAVOICE_ADMIN_TOKEN");
        }
    }
}
