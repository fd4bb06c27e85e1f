package dev.wavoice.server.web;

import dev.wavoice.server.config.Secret;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the call-log API and the dashboard: a bearer token (header, {@code ?token=} or the dashboard's login
 * cookie) when {@code WAVOICE_ADMIN_TOKEN} is set; without one, open only while the server listens on loopback,
 * because call logs hold phone numbers.
 */
final class AdminAccess {
    /** Cookie holding the admin token for browsers (EventSource cannot send an Authorization header). */
    static final String COOKIE = "wavoice_admin";

    private final Secret token;
    private final boolean loopbackOnly;

    AdminAccess(Secret token, boolean loopbackOnly) {
        this.token = token;
        this.loopbackOnly = loopbackOnly;
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
        String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
        if (presented == null) {
            presented = ctx.queryParam("token");
        }
        if (presented == null) {
            presented = ctx.cookie(COOKIE); // set by the dashboard's login form
        }
        if (matches(presented)) {
            return true;
        }
        ctx.status(401).header("WWW-Authenticate", "Bearer").contentType("text/plain").result("admin token required");
        return false;
    }
}
