package dev.wavoice.server.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.server.agent.AgentHealth;
import dev.wavoice.server.call.CallRegistry;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.cluster.Cluster;
import dev.wavoice.server.cluster.PeerClient;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.doctor.DoctorReport;
import dev.wavoice.server.permission.CallPermissionService;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.QueuedCallLog;
import dev.wavoice.server.whatsapp.WebhookProcessor;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP surface, every route in one place. */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

    private final Javalin app;
    private final LiveStream stream;

    public HttpApi(WavoiceConfig config, WebhookProcessor processor, PrometheusMeterRegistry metrics,
            QueuedCallLog callLog, CallLogRepository repo, CallRegistry calls, ObjectMapper json, LiveFeed live,
            AgentHealth agent, Cluster cluster, ExtraRoutes extraRoutes, BooleanSupplier warmedUp,
            CallPermissionService permissions, OutboundCalls outbound, Supplier<DoctorReport> doctor) {
        WebhookHandler webhook = new WebhookHandler(config.appSecret(), config.verifyToken(),
                config.effectiveClusterSecret(), processor, new DurableWebhookAck(callLog, metrics), metrics);
        AdminAccess admin = new AdminAccess(config.adminToken(), config.loopbackOnly(),
                new AdminSessions(java.time.Clock.systemUTC()));
        CallLogApi callLogApi = new CallLogApi(repo, json);
        OutboundApi outboundApi = new OutboundApi(outbound, json);
        PermissionApi permissionApi = new PermissionApi(permissions, json);
        this.stream = new LiveStream(live, json, Duration.ofSeconds(1));
        DashboardApi dashboard = new DashboardApi(calls, repo, stream, admin,
                agent, config.instanceId(), json);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.concurrency.useVirtualThreads = true;
            // The webhook handler enforces its own 1 MiB limit with a 413; let Jetty hand it the stream.
            cfg.http.maxRequestSize = 4L << 20;
            // Responses are a few bytes (webhook acks) or scraped on a private network (metrics); the compression
            // layer was the top CPU item under webhook load.
            cfg.http.compressionStrategy = CompressionStrategy.NONE;
            cfg.jetty.host = config.httpHost();
            cfg.jetty.port = config.httpPort();
            cfg.routes.get("/webhook", webhook::verify);
            cfg.routes.post("/webhook", webhook::receive);
            cfg.routes.post(PeerClient.PATH, webhook::receiveForwarded);
            cfg.routes.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            cfg.routes.get("/ready", ctx -> {
                // Draining: the load balancer stops sending here; webhooks that still come are handed to peers.
                // Warming: the start-up self-calls run, so that the first caller is not the one who waits for them.
                boolean warm = warmedUp.getAsBoolean();
                boolean ready = callLog.isMigrated() && warm && !cluster.draining();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("status", cluster.draining() ? "draining" : ready ? "ready" : warm ? "starting" : "warming");
                body.put("instance", cluster.instanceId());
                body.put("database", callLog.isDatabaseUp() ? "up" : "down");
                body.put("pendingWrites", callLog.pending());
                body.put("activeCalls", calls.size());
                body.put("maxCalls", calls.maxCalls());
                // Detail only: an agent that refuses us does not take the instance out of rotation, since webhooks
                // must still be answered (each call is then rejected, or apologised to, with the reason).
                body.put("agent", agent.status());
                ctx.status(ready ? 200 : 503).contentType("application/json").result(json.writeValueAsString(body));
            });
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            cfg.routes.get("/api/calls", admin.guard(callLogApi::list));
            cfg.routes.get("/api/calls/{callId}", admin.guard(callLogApi::one));
            cfg.routes.get("/api/calls/{callId}/recording", admin.guard(callLogApi::recording));
            cfg.routes.post("/api/calls", admin.guard(outboundApi::place));
            cfg.routes.get("/api/permissions", admin.guard(permissionApi::list));
            // Runs every check now (about 3 s at most): the same report as wavoice doctor --json.
            cfg.routes.get("/api/doctor", admin.guard(ctx -> ctx.contentType("application/json")
                    .result(json.writeValueAsString(doctor.get().json(json)))));
            dashboard.addRoutes(cfg.routes);
            extraRoutes.addTo(cfg.routes, live, stream);
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                String path;
                try {
                    path = ctx.path();
                } catch (RuntimeException gone) {
                    // The request was recycled before its handler finished (a live stream ending as the server
                    // stops): nothing to answer, and a handler that throws here sets Javalin retrying forever.
                    log.debug("http.handler_failed_after_end error=\"{}\"", e.toString());
                    return;
                }
                log.error("http.handler_failed path={} error=\"{}\"", path, e.toString(), e);
                try {
                    ctx.status(500).contentType("text/plain").result("internal error");
                } catch (RuntimeException gone) {
                    log.debug("http.error_response_failed path={} error=\"{}\"", path, gone.toString());
                }
            });
        });
    }

    public HttpApi start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    /** Stops the server once the live streams have ended (close the live feed first: they end with it). */
    @Override
    public void close() {
        stream.awaitStreamsEnded(Duration.ofSeconds(2));
        app.stop();
    }
}
