package dev.wavoice.server.web;

import dev.wavoice.server.config.Secret;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the call-log API and the dashboard when {@code WAVOICE_ADMIN_TOKEN} is set: a bearer token in the
 * {@code Authorization} header (scripts), or the dashboard's login session cookie (browsers: EventSource cannot send a
 * header). Never the token in a URL: query strings end up in proxy logs and browser history. Without a token the API
 * is open only while the server listens on loopback, because call logs hold phone numbers.
 *
 * <p>A request that changes state and is authenticated by the cookie must come from this origin (its {@code Origin},
 * or {@code Sec-Fetch-Site: same-origin}): the cookie is {@code SameSite=Strict} already, and this refuses a forged
 * cross-site form even from a browser that ignores that.
 */
final class AdminAccess {
    /** Cookie holding the dashboard's opaque session id (never the token). */
    static final String COOKIE = "wavoice_admin";

    private final Secret token;
    private final boolean loopbackOnly;
    private final AdminSessions sessions;

    AdminAccess(Secret token, boolean loopbackOnly, AdminSessions sessions) {
        this.token = token;
        this.loopbackOnly = loopbackOnly;
        this.sessions = sessions;
    }

    AdminSessions sessions() {
        return sessions;
    }

    Handler guard(Handler inner) {
        return ctx -> {
            if (allowed(ctx)) {
                inner.handle(ctx);
            }
        };
    }

    /** Whether the presented value is the configured admin token (constant-time compare). */
    boolean matches(String presented) {
        return token.isPresent() && presented != null && MessageDigest.isEqual(
                presented.getBytes(StandardCharsets.UTF_8), token.reveal().getBytes(StandardCharsets.UTF_8));
    }

    private boolean allowed(Context ctx) {
        if (!token.isPresent()) {
            if (loopbackOnly) {
                return true;
            }
            ctx.status(403).contentType("text/plain")
                    .result("set WAVOICE_ADMIN_TOKEN to use the admin API on a non-loopback address");
            return false;
        }
        String header = ctx.header("Authorization");
        if (header != null && header.startsWith("Bearer ") && matches(header.substring(7).trim())) {
            return true;
        }
        if (sessions.valid(ctx.cookie(COOKIE))) {
            if (changesState(ctx) && !sameOrigin(ctx)) {
                ctx.status(403).contentType("text/plain").result("cross-site request refused");
                return false;
            }
            return true;
        }
        ctx.status(401).header("WWW-Authenticate", "Bearer").contentType("text/plain").result("admin token required");
        return false;
    }

    private static boolean changesState(Context ctx) {
        String method = ctx.method().name();
        return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    /** The request names this origin: {@code Sec-Fetch-Site: same-origin}, or an {@code Origin} whose host is ours. */
    static boolean sameOrigin(Context ctx) {
        if ("same-origin".equals(ctx.header("Sec-Fetch-Site"))) {
            return true;
        }
        String origin = ctx.header("Origin");
        String host = ctx.header("X-Forwarded-Host") != null ? ctx.header("X-Forwarded-Host") : ctx.header("Host");
        if (origin == null || host == null) {
            return false;
        }
        try {
            java.net.URI o = java.net.URI.create(origin);
            String originHost = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host.equalsIgnoreCase(originHost);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
