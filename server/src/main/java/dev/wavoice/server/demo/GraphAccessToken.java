package dev.wavoice.server.demo;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/** The bearer token the simulated Graph API expects on every request, and Graph's error envelope. */
final class GraphAccessToken {
    private final byte[] token;

    GraphAccessToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether the request carries the token (constant-time compare); answers Meta's 401, code 190, when not. */
    boolean admits(Context ctx) {
        String header = ctx.header("Authorization");
        byte[] presented = header != null && header.startsWith("Bearer ")
                ? header.substring(7).getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (MessageDigest.isEqual(presented, token)) {
            return true;
        }
        graphError(ctx, 401, 190, "Invalid OAuth access token.");
        return false;
    }

    static void graphError(Context ctx, int status, int code, String message) {
        ctx.status(status).json(Map.of("error", Map.of("message", message, "type", "OAuthException", "code", code)));
    }
}
