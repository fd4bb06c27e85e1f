package dev.wavoice.server.web;

import io.javalin.config.RoutesConfig;

/** Routes a mode of the service adds to the HTTP surface (the demo's simulated Meta and page). */
@FunctionalInterface
public interface ExtraRoutes {
    ExtraRoutes NONE = (routes, live, stream) -> { };

    /**
     * @param live   the live feed, for routes that announce call activity
     * @param stream streams the feed as server-sent events; the server waits for its streams to end when it stops
     */
    void addTo(RoutesConfig routes, LiveFeed live, LiveStream stream);
}
