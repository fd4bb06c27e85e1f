package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentHealth;
import dev.wavoice.server.call.CallRegistry;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.CallTotals;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.javalin.http.sse.SseHandler;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /dashboard}: live calls with their media figures, the call history from the database (each call's
 * events and transcript through {@code /api/calls/{callId}}) and totals, kept current over server-sent events.
 * Everything but the page itself is behind {@link AdminAccess}; a browser logs in once with a small form that
 * sets the token as an HttpOnly cookie.
 */
final class DashboardApi {
    private static final int HISTORY = 50;

    private static final Logger log = LoggerFactory.getLogger(DashboardApi.class);

    private final CallRegistry calls;
    private final CallLogRepository repo;
    private final LiveStream stream;
    private final AdminAccess admin;
    private final AgentHealth agent;
    private final String instanceId;
    private final ObjectMapper json;
    private final LoginThrottle throttle = new LoginThrottle(Clock.systemUTC());

    DashboardApi(CallRegistry calls, CallLogRepository repo, LiveStream stream, AdminAccess admin, AgentHealth agent,
            String instanceId, ObjectMapper json) {
        this.calls = calls;
        this.agent = agent;
        this.instanceId = instanceId;
        this.repo = repo;
        this.stream = stream;
        this.admin = admin;
        this.json = json;
    }

    void addRoutes(RoutesConfig routes) {
        routes.get("/dashboard", StaticResource.of("dashboard.html"));
        routes.get("/assets/dashboard.js", StaticResource.of("dashboard.js"));
        routes.get("/assets/wavoice.css", StaticResource.of("wavoice.css"));
        routes.post("/dashboard/login", this::login);
        routes.post("/dashboard/logout", admin.guard(this::logout));
        routes.get("/api/dashboard", admin.guard(this::overview));
        routes.get("/api/live", admin.guard(new SseHandler(client -> stream.stream(client, null, this::liveCalls))));
    }

    /** The live calls, oldest first. */
    List<LiveCall> liveCalls() {
        Instant now = Instant.now();
        return calls.live().stream().map(c -> LiveCall.of(c, now))
                .sorted(Comparator.comparing(LiveCall::startedAt)).toList();
    }

    private void overview(Context ctx) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("live", liveCalls());
        body.put("agent", agent.status());
        body.put("instance", instanceId);
        try {
            List<CallRecord> history = repo.recentCalls(HISTORY);
            CallTotals totals = repo.totals();
            body.put("history", history);
            body.put("totals", totals);
            // Every instance on the database writes its calls there: the ones live elsewhere, by owner.
            body.put("elsewhere", repo.openCalls(HISTORY).stream()
                    .filter(c -> c.ownerInstance() != null && !c.ownerInstance().equals(instanceId)).toList());
        } catch (SQLException e) {
            body.put("history", List.of());
            body.put("databaseError", "call log database unavailable");
        }
        ctx.contentType("application/json").result(json.writeValueAsString(body));
    }

    private void login(Context ctx) {
        String address = ctx.ip();
        Duration wait = throttle.waitFor(address);
        if (!wait.isZero()) {
            ctx.status(HttpStatus.TOO_MANY_REQUESTS).header("Retry-After", Long.toString(wait.toSeconds() + 1))
                    .contentType("text/plain").result("too many failed logins: try again in a minute");
            return;
        }
        if (!AdminAccess.sameOrigin(ctx) && ctx.header("Origin") != null) {
            ctx.status(403).contentType("text/plain").result("cross-site request refused");
            return;
        }
        if (!admin.matches(ctx.formParam("token"))) {
            throttle.failed(address);
            log.warn("dashboard.login_failed address={}", address);
            ctx.redirect("/dashboard?login=failed", HttpStatus.SEE_OTHER);
            return;
        }
        throttle.succeeded(address);
        ctx.cookie(sessionCookie(ctx, admin.sessions().create(), (int) AdminSessions.LIFETIME.toSeconds()));
        ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    }

    private void logout(Context ctx) {
        admin.sessions().end(ctx.cookie(AdminAccess.COOKIE));
        ctx.cookie(sessionCookie(ctx, "", 0));
        ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    }

    /** HttpOnly, SameSite=Strict, and Secure when the browser reached us over TLS (directly or through a proxy). */
    private static Cookie sessionCookie(Context ctx, String value, int maxAgeSeconds) {
        boolean https = "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto")) || "https".equals(ctx.scheme());
        return new Cookie(AdminAccess.COOKIE, value, "/", maxAgeSeconds, https, true, null, SameSite.STRICT);
    }
}
