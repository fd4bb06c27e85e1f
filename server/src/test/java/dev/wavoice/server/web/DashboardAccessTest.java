package dev.wavoice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.testsupport.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardAccessTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    @Test
    void thePageIsServedFromTheJarWithAPolicyThatAllowsThisOriginOnly() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b)) {
            HttpResponse<String> page = t.get("/dashboard");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
            assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    v -> assertThat(v).contains("default-src 'self'"));
            assertThat(page.body()).contains("/assets/dashboard.js").doesNotContain("http://", "https://");
            assertThat(t.get("/assets/dashboard.js").statusCode()).isEqualTo(200);
            assertThat(t.get("/assets/wavoice.css").statusCode()).isEqualTo(200);
            assertThat(t.get("/").statusCode()).isEqualTo(404); // the demo page exists only under `wavoice demo`
            // Loopback without a token: open, like /api/calls.
            HttpResponse<String> overview = t.get("/api/dashboard");
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("\"live\":[]", "\"history\":[]", "\"totals\"");
        }
    }

    @Test
    void withATokenTheDataNeedsIt_andTheLoginFormSetsItAsAnHttpOnlyCookie() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b.adminToken("admin-123"))) {
            assertThat(t.get("/dashboard").statusCode()).isEqualTo(200); // the page itself holds no data
            assertThat(t.get("/api/dashboard").statusCode()).isEqualTo(401);
            assertThat(t.get("/api/live", "Accept", "text/event-stream").statusCode()).isEqualTo(401);

            HttpResponse<String> wrong = login(t, "nope");
            assertThat(wrong.statusCode()).isEqualTo(303);
            assertThat(wrong.headers().firstValue("Location")).hasValue("/dashboard?login=failed");
            assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();

            HttpResponse<String> right = login(t, "admin-123");
            assertThat(right.statusCode()).isEqualTo(303);
            String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).startsWith("wavoice_admin=admin-123").containsIgnoringCase("HttpOnly")
                    .containsIgnoringCase("SameSite=Strict");
            assertThat(t.get("/api/dashboard", "Cookie", "wavoice_admin=admin-123").statusCode()).isEqualTo(200);
            assertThat(t.get("/api/dashboard", "Cookie", "wavoice_admin=wrong").statusCode()).isEqualTo(401);
            assertThat(t.get("/api/dashboard?token=admin-123").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void onANonLoopbackAddressWithoutATokenTheDashboardDataIsRefused() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b.httpHost("0.0.0.0"))) {
            HttpResponse<String> r = t.get("/api/dashboard");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.body()).contains("WAVOICE_ADMIN_TOKEN");
        }
    }

    @Test
    void theLiveFeedStreamsASnapshotThenTheCallRowsAsTheyAreWritten() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b)) {
            HttpResponse<java.util.stream.Stream<String>> sse = http.send(HttpRequest.newBuilder(t.uri("/api/live"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(sse.statusCode()).isEqualTo(200);
            assertThat(sse.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            java.util.Iterator<String> lines = sse.body().iterator();
            assertThat(lines.next()).isEqualTo("event: live");
            assertThat(lines.next()).isEqualTo("data: []");

            // A connect the service cannot answer (no SDP offer): its rows still reach the feed.
            t.postSigned(TestServer.connectWebhook("wacid.LIVE-1", "1764001000", v -> {
                ((com.fasterxml.jackson.databind.node.ObjectNode) v.withArray("calls").get(0)).remove("session");
                return v;
            }));
            java.util.List<String> seen = new java.util.ArrayList<>();
            while (seen.stream().noneMatch(l -> l.contains("\"state\":\"ENDED\""))) {
                String line = lines.next();
                if (line.startsWith("event: ") && !line.equals("event: live") || line.contains("wacid.LIVE-1")) {
                    seen.add(line);
                }
            }
            assertThat(seen).contains("event: call", "event: event");
            assertThat(String.join("\n", seen)).contains("\"callId\":\"wacid.LIVE-1\"", "webhook.connect", "RINGING");
            sse.body().close();
        }
    }

    private HttpResponse<String> login(TestServer t, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(t.uri("/dashboard/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
