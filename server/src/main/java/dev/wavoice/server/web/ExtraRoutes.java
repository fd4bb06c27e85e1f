package dev.wavoice.server.web;

import io.javalin.config.RoutesConfig;

/** Routes a mode of the service adds to the HTTP surface (the demo's simulated Meta and page). */
@FunctionalInterface
public interface ExtraRoutes {
    ExtraRoutes NONE = (routes, live) -> { };

    /** @param live the live feed, for routes that stream or announce call activity */
    void addTo(RoutesConfig routes, LiveFeed live);
}
