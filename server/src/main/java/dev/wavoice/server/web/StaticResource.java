package dev.wavoice.server.web;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One browser file (page, script, stylesheet) served from the jar. Only files named in a route are served, and
 * pages load nothing from elsewhere: the Content-Security-Policy allows this origin only.
 */
public final class StaticResource implements Handler {
    private static final String POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";

    private final byte[] body;
    private final String contentType;

    private StaticResource(byte[] body, String contentType) {
        this.body = body;
        this.contentType = contentType;
    }

    /** A file under {@code public/} on the classpath, read once (the jar does not change while running). */
    public static StaticResource of(String name) {
        String path = "/public/" + name;
        try (InputStream in = StaticResource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("resource " + path + " missing from the build");
            }
            return new StaticResource(in.readAllBytes(), contentType(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        throw new IllegalArgumentException("no content type for " + name);
    }

    @Override
    public void handle(Context ctx) {
        ctx.header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", "no-cache")
                .contentType(contentType)
                .result(body);
    }
}
