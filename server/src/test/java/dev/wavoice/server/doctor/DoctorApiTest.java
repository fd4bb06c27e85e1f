package dev.wavoice.server.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.testsupport.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/doctor}: the admin's view of the same report, from inside the running server. */
class DoctorApiTest {
    private static final String ADMIN_TOKEN = "admin-token-api-test-81e0";

    @TempDir
    Path dir;

    @Test
    void theRunningServerReportsItsChecksToTheAdminOnly() throws Exception {
        try (FakeGraph graph = new FakeGraph();
             TestServer server = new TestServer(dir, null, b -> b.graphUrl(graph.url())
                     .phoneNumberId("106540352242922").adminToken(ADMIN_TOKEN))) {
            assertThat(server.get("/api/doctor").statusCode()).isEqualTo(401);
            assertThat(graph.authorizations()).isEmpty(); // nothing ran for a stranger

            HttpResponse<String> response = server.get("/api/doctor", "Authorization", "Bearer " + ADMIN_TOKEN);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode report = new ObjectMapper().readTree(response.body());
            assertThat(report.path("checks")).hasSize(9);
            assertThat(report.path("checks").findValuesAsText("name")).containsExactly("configuration",
                    "graph token", "calling enabled", "graph version", "openai", "media", "database", "opus", "clock");
            JsonNode token = report.path("checks").get(1);
            assertThat(token.path("status").asText()).isEqualTo("ok");
            assertThat(token.path("found").asText()).contains("+1 555-010-0123");
            // the server's own socket holds the media port, and its own pool answers for the database
            assertThat(report.path("checks").get(5).path("found").asText()).contains("held by this server");
            assertThat(report.path("checks").get(6).path("found").asText()).endsWith("migrations current");
            assertThat(graph.authorizations()).containsOnly("Bearer " + TestServer.ACCESS_TOKEN);
            for (String secret : new String[] {ADMIN_TOKEN, TestServer.ACCESS_TOKEN, TestServer.APP_SECRET,
                    TestServer.VERIFY_TOKEN}) {
                assertThat(response.body()).doesNotContain(secret);
            }
        }
    }
}
