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
    void withATokenTheDataNeedsIt_andTheLoginFormIssuesAnOpaqueHttpOnlySessionCookie() throws Exception {
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
            String setCookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).startsWith("wavoice_admin=").containsIgnoringCase("HttpOnly")
                    .containsIgnoringCase("SameSite=Strict").containsIgnoringCase("Max-Age=43200")
                    .doesNotContain("admin-123"); // an opaque session id, never the token
            String session = setCookie.substring(0, setCookie.indexOf(';'));
            assertThat(session.length()).isGreaterThan("wavoice_admin=".length() + 40);
            assertThat(t.get("/api/dashboard", "Cookie", session).statusCode()).isEqualTo(200);
            assertThat(t.get("/api/dashboard", "Cookie", "wavoice_admin=admin-123").statusCode())
                    .as("the token itself is no session").isEqualTo(401);
            assertThat(t.get("/api/dashboard?token=admin-123").statusCode())
                    .as("never the token in a URL").isEqualTo(401);
            assertThat(t.get("/api/calls?token=admin-123").statusCode()).isEqualTo(401);
            assertThat(t.get("/api/dashboard", "Authorization", "Bearer admin-123").statusCode()).isEqualTo(200);

            // Logging out is a state change: a forged cross-site form is refused, our own page's is not.
            assertThat(logout(t, session, "https://evil.example").statusCode()).isEqualTo(403);
            assertThat(t.get("/api/dashboard", "Cookie", session).statusCode()).isEqualTo(200);
            HttpResponse<String> out = logout(t, session, "http://" + t.uri("/").getAuthority());
            assertThat(out.statusCode()).isEqualTo(303);
            assertThat(out.headers().firstValue("Set-Cookie")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("wavoice_admin=;").contains("1970")); // emptied and expired
            assertThat(t.get("/api/dashboard", "Cookie", session).statusCode()).as("the session ended").isEqualTo(401);
        }
    }

    @Test
    void failedLoginsAreThrottledPerAddress() throws Exception {
        try (TestServer t = new TestServer(dir, null, b -> b.adminToken("admin-123"))) {
            for (int i = 0; i < 5; i++) {
                assertThat(login(t, "guess-" + i).statusCode()).isEqualTo(303);
            }
            HttpResponse<String> blocked = login(t, "admin-123");
            assertThat(blocked.statusCode()).as("even the right token waits out the minute").isEqualTo(429);
            assertThat(blocked.headers().firstValue("Retry-After")).hasValueSatisfying(
                    v -> assertThat(Integer.parseInt(v)).isBetween(1, 61));
            assertThat(blocked.headers().firstValue("Set-Cookie")).isEmpty();
            // Scripts with the bearer token are not held up by a browser's failed logins.
            assertThat(t.get("/api/dashboard", "Authorization", "Bearer admin-123").statusCode()).isEqualTo(200);
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

    private HttpResponse<String> logout(TestServer t, String cookie, String origin) throws Exception {
        return http.send(HttpRequest.newBuilder(t.uri("/dashboard/logout")).header("Cookie", cookie)
                .header("Origin", origin).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> login(TestServer t, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(t.uri("/dashboard/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
