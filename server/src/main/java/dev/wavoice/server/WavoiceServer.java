package dev.wavoice.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.wavoice.media.dtls.DtlsWarmup;
import dev.wavoice.server.agent.CallAgentSettings;
import dev.wavoice.server.call.CallController;
import dev.wavoice.server.call.Callbacks;
import dev.wavoice.server.call.OutboundCalls;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.CallRegistry;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.config.AgentKind;
import dev.wavoice.server.config.AgentTransport;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.metrics.Metrics;
import dev.wavoice.server.permission.CallPermissionService;
import dev.wavoice.server.permission.PermissionGate;
import dev.wavoice.server.permission.CallPermissionStore;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.CallbackStore;
import dev.wavoice.server.store.Database;
import dev.wavoice.server.store.QueuedCallLog;
import dev.wavoice.server.web.ExtraRoutes;
import dev.wavoice.server.web.HttpApi;
import dev.wavoice.server.doctor.Doctor;
import dev.wavoice.server.doctor.DoctorSetup;
import dev.wavoice.server.web.LiveFeed;
import dev.wavoice.server.cluster.Cluster;
import dev.wavoice.server.cluster.PeerClient;
import dev.wavoice.server.cluster.SharedDeliveries;
import dev.wavoice.server.store.ClusterStore;
import dev.wavoice.server.whatsapp.Deliveries;
import dev.wavoice.server.whatsapp.EventDeduplicator;
import dev.wavoice.server.whatsapp.GraphApiClient;
import dev.wavoice.server.whatsapp.RetryPolicy;
import dev.wavoice.server.whatsapp.WebhookProcessor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.wavoice.server.media.CallMediaFactory;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.recording.RecordingRetention;
import dev.wavoice.server.agent.AgentDirectory;
import dev.wavoice.server.agent.AgentProfile;
import dev.wavoice.server.agent.AgentHealth;
import dev.wavoice.server.store.CallLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The assembled service: database, call log, Graph client, call control and HTTP, started and stopped as one. */
public final class WavoiceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WavoiceServer.class);

    /** How long the agents' goodbyes may take once a drain is over. */
    private static final Duration WRAP_UP = Duration.ofSeconds(8);

    private final WavoiceConfig config;
    private final PrometheusMeterRegistry metrics;
    private final Database database;
    private final CallLogRepository repository;
    private final RecordingRetention recordingRetention;
    private final QueuedCallLog callLog;
    private final LiveFeed live;
    private final CallRegistry calls;
    private final CallController controller;
    private final ExecutorService work;
    private final ScheduledExecutorService timers;
    private final HttpApi http;
    private final CallPermissionService permissions;
    private final CallbackStore callbackStore;
    private final Callbacks callbacks;
    private final CallAgentSettings agentSettings;
    private final AutoCloseable mediaResources;
    private final AgentHealth agentHealth;
    private final PeerClient peers;
    private final Cluster cluster;
    private final Runnable agentCheck;
    private final StartupWarmup warmup;
    private final DtlsWarmup dtlsWarmup;
    /** Completes once the start-up warm-up is over (or was never asked for); {@code /ready} waits for it. */
    private final CompletableFuture<StartupWarmup.Outcome> warmedUp = new CompletableFuture<>();

    /** A warm-up still running by then is left to finish in the background: the service is ready without it. */
    private static final Duration WARMUP_LIMIT = Duration.ofSeconds(10);

    /** Builds the call media once the call log and timers exist (an agent bridge writes transcripts). */
    @FunctionalInterface
    public interface MediaProvider {
        CallMediaFactory.Opened open(CallLog callLog, ScheduledExecutorService timers, AgentHealth agentHealth,
                MeterRegistry metrics) throws IOException;
    }

    /** The service as configured, with the agent settings read from the process environment. */
    public static WavoiceServer create(WavoiceConfig config) throws IOException {
        return create(config, AgentConfig.fromEnvironment(System.getenv()));
    }

    /** The service as configured: media transport and audio route (echo, local or OpenAI agent). */
    public static WavoiceServer create(WavoiceConfig config, AgentConfig agent) throws IOException {
        return create(config, agent, ExtraRoutes.NONE);
    }

    /** As {@link #create(WavoiceConfig, AgentConfig)}, with routes of a mode added to the HTTP surface (the demo). */
    public static WavoiceServer create(WavoiceConfig config, AgentConfig agent, ExtraRoutes extraRoutes) throws IOException {
        CallAgentSettings perCall = new CallAgentSettings();
        return new WavoiceServer(config, (MediaProvider) (callLog, timers, health, registry) ->
                CallMediaFactory.open(config, agent, perCall, callLog, timers, health, registry),
                extraRoutes, perCall);
    }

    /** The service with its agents given: the default one, and one per WhatsApp number the directory maps. */
    public static WavoiceServer create(WavoiceConfig config, AgentDirectory agents, ExtraRoutes extraRoutes) {
        CallAgentSettings perCall = new CallAgentSettings();
        return new WavoiceServer(config, (MediaProvider) (callLog, timers, health, registry) ->
                CallMediaFactory.open(config, agents, perCall, callLog, timers, health, registry),
                extraRoutes, perCall);
    }

    public WavoiceServer(WavoiceConfig config, CallMedia media) {
        this(config, media, () -> { });
    }

    public WavoiceServer(WavoiceConfig config, CallMedia media, AutoCloseable mediaResources) {
        this(config, (MediaProvider) (callLog, timers, health, registry) ->
                new CallMediaFactory.Opened(media, mediaResources));
    }

    public WavoiceServer(WavoiceConfig config, MediaProvider mediaProvider) throws UncheckedIOException {
        this(config, mediaProvider, ExtraRoutes.NONE);
    }

    public WavoiceServer(WavoiceConfig config, MediaProvider mediaProvider, ExtraRoutes extraRoutes)
            throws UncheckedIOException {
        this(config, mediaProvider, extraRoutes, new CallAgentSettings());
    }

    /** @param agentSettings per-call agent settings, shared with the media's agent connector */
    public WavoiceServer(WavoiceConfig config, MediaProvider mediaProvider, ExtraRoutes extraRoutes,
            CallAgentSettings agentSettings) throws UncheckedIOException {
        this.config = config;
        this.metrics = Metrics.prometheus();
        ObjectMapper json = objectMapper();
        this.database = new Database(config.dbUrl());
        this.repository = new CallLogRepository(database.dataSource());
        this.recordingRetention = new RecordingRetention(repository, config.recordings(), config.instanceId(),
                Clock.systemUTC());
        this.callLog = new QueuedCallLog(repository, database::migrate, 100_000, metrics);
        // The call path writes through the live feed, so the dashboard sees rows as they are queued.
        this.live = new LiveFeed(callLog, LiveFeed.DEFAULT_SUBSCRIBER_CAPACITY, metrics);
        this.work = Executors.newVirtualThreadPerTaskExecutor();
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("call-timers").factory());
        this.calls = new CallRegistry(config.maxCalls(), metrics);
        this.agentHealth = new AgentHealth(metrics);
        CallMediaFactory.Opened opened;
        try {
            opened = mediaProvider.open(live, timers, agentHealth, metrics);
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("cannot open the media port: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
        CallMedia media = opened.media();
        this.mediaResources = opened.resources();
        this.agentCheck = opened.agentCheck();
        this.dtlsWarmup = opened.dtlsWarmup();
        String configured = agentName(config);
        Function<String, String> agentNames = opened.agentNames() != null ? opened.agentNames() : id -> configured;
        // Connecting never gets longer than a whole request may take.
        Duration graphConnectTimeout = config.graphTimeout().compareTo(Duration.ofSeconds(3)) < 0
                ? config.graphTimeout() : Duration.ofSeconds(3);
        GraphApiClient graph = new GraphApiClient(config.graphUrl(), config.graphVersion(), config.accessToken(),
                graphConnectTimeout, config.graphTimeout(), RetryPolicy.DEFAULT, json, metrics);
        ClusterStore clusterStore = new ClusterStore(database.dataSource());
        this.peers = new PeerClient(config.instanceId(), config.effectiveClusterSecret().isPresent()
                ? config.effectiveClusterSecret().reveal() : null, Duration.ofSeconds(1), Duration.ofSeconds(3));
        this.permissions = new CallPermissionService(new CallPermissionStore(database.dataSource(), json), graph,
                config.permissions(), json, Clock.systemUTC(), metrics);
        PermissionGate permissionGate = new PermissionGate(permissions);
        // Each needs the other: call control asks whether the instance drains, the cluster ends a lost peer's calls
        // through call control. The draining check reads the field when a call comes, long after both exist.
        this.controller = new CallController(calls, media, graph, live, metrics, timers, work,
                new CallController.Limits(config.ringTimeout(), config.mediaConnectTimeout(), config.maxCallDuration()),
                config.phoneNumberId(), agentNames, config.instanceId(), this::draining,
                permissionGate, agentSettings,
                new OutboundCalls.Settings(config.dialTimeout(), config.grantWait()));
        permissionGate.notify(controller.outbound());
        this.callbackStore = new CallbackStore(database.dataSource());
        this.callbacks = new Callbacks(calls, callbackStore, controller.outbound(), live, metrics, work,
                Clock.systemUTC(), config.instanceId());
        agentSettings.bindCallbacks(callbacks);
        this.agentSettings = agentSettings;
        this.cluster = new Cluster(new Cluster.Self(config.instanceId(), Instant.now(), database.kind().equals("h2")),
                clusterStore, repository, calls, peers, controller::endLostCall, timers, work);
        // The embedded H2 database has one instance by construction: memory de-duplicates for it, with no write
        // per webhook (which cost H2 three quarters of its webhook throughput).
        Deliveries deliveries = database.kind().equals("h2") ? new EventDeduplicator(50_000)
                : new SharedDeliveries(clusterStore, metrics);
        WebhookProcessor processor = new WebhookProcessor(json, controller, permissions, deliveries, cluster, work,
                metrics);
        this.warmup = new StartupWarmup(opened.selfCall(), processor, graph, this::ownUrl, config.appSecret(),
                StartupWarmup.Limits.DEFAULT);
        this.http = new HttpApi(config, processor, metrics, callLog, repository, calls, json, live, agentHealth,
                cluster, extraRoutes, warmedUp::isDone, permissions, controller.outbound(),
                () -> new DoctorSetup(config, null, System.getenv(), database, true, Doctor.DEFAULT_TIMEOUT,
                        Clock.systemUTC()).doctor().run());
    }

    /** What a call row names as its agent: the kind, and the transport when it is not the default WebSocket. */
    static String agentName(WavoiceConfig config) {
        return AgentProfile.defaultName(config.agent(), config.agentTransport());
    }

    /** Deletes recordings past {@code WAVOICE_RECORDING_DAYS}; runs hourly by itself. */
    public RecordingRetention recordingRetention() {
        return recordingRetention;
    }

    public static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public WavoiceServer start() {
        callLog.start();
        http.start();
        log.info("wavoice.started http={}:{} db={} agent={} maxCalls={} graph={}/{}", config.httpHost(), http.port(),
                database.kind(), agentName(config), config.maxCalls(), config.graphUrl(), config.graphVersion());
        agentCheck.run();
        cluster.start(internalUrl());
        if (agentSettings.callbacksOffered()) { // else nothing promises call backs: no query a second for them
            callbacks.start(timers);
        }
        recordingRetention.schedule(timers);
        if (config.warmup()) {
            // Ready once the self-calls are done and the background DTLS handshakes too: a load measured right after
            // /ready would otherwise share the core with them (still bounded by WARMUP_LIMIT).
            warmup.start().thenCombine(dtlsWarmup.finished(), (outcome, done) -> outcome)
                    .thenAccept(warmedUp::complete);
            warmedUp.completeOnTimeout(null, WARMUP_LIMIT.toMillis(), TimeUnit.MILLISECONDS).thenAccept(outcome -> {
                if (outcome == null) {
                    log.warn("wavoice.warmup_timeout ms={} (ready anyway; the warm-up goes on in the background)",
                            WARMUP_LIMIT.toMillis());
                }
            });
        } else {
            warmedUp.complete(null);
        }
        return this;
    }

    /** This instance's HTTP port as a client on this host reaches it (the wildcard is not an address to send to). */
    private URI ownUrl() {
        String host = switch (config.httpHost()) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "[::1]";
            default -> config.httpHost().contains(":") && !config.httpHost().startsWith("[")
                    ? "[" + config.httpHost() + "]" : config.httpHost();
        };
        return URI.create("http://" + host + ":" + http.port());
    }

    /** Completes when the start-up warm-up is over: with its outcome, or null when off or out of time. */
    public CompletableFuture<StartupWarmup.Outcome> warmedUp() {
        return warmedUp;
    }

    /** Where peers reach this instance: as configured, else this HTTP address when it is a specific one. */
    private String internalUrl() {
        if (config.internalUrl() != null) {
            return config.internalUrl().toString().replaceAll("/+$", "");
        }
        boolean wildcard = config.httpHost().equals("0.0.0.0") || config.httpHost().equals("::");
        return wildcard ? null : "http://" + config.httpHost() + ":" + http.port();
    }

    private void waitForCalls(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (calls.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean draining() {
        return cluster.draining();
    }

    public Cluster cluster() {
        return cluster;
    }

    /**
     * A graceful stop (SIGTERM): {@code /ready} turns false and new calls go to peers at once; live calls run on
     * for up to {@code drainTimeout}, then each agent says a short goodbye and what is left is ended. Returns once no
     * call is left; {@link #close()} follows.
     */
    public void drain(Duration drainTimeout) {
        cluster.drain();
        waitForCalls(drainTimeout);
        int left = calls.size();
        if (left > 0) {
            log.info("wavoice.drain_over callsLeft={} (the agents say goodbye)", left);
            if (controller.wrapUpAll() > 0) {
                waitForCalls(WRAP_UP);
            }
            controller.endAll(EndReason.SHUTDOWN, "instance draining: " + drainTimeout.toSeconds() + " s elapsed");
        }
        log.info("wavoice.drained");
    }

    public int httpPort() {
        return http.port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    public CallLogRepository repository() {
        return repository;
    }

    public QueuedCallLog callLog() {
        return callLog;
    }

    public CallRegistry calls() {
        return calls;
    }

    /** Calls the business places ({@code POST /api/calls} goes through the same). */
    public OutboundCalls outbound() {
        return controller.outbound();
    }

    public LiveFeed live() {
        return live;
    }

    public AgentHealth agentHealth() {
        return agentHealth;
    }

    /** Call backs the agents promised. */
    public CallbackStore callbackStore() {
        return callbackStore;
    }

    /** WhatsApp call permissions: check before dialling, ask the user, hear the user's answer. */
    public CallPermissionService permissions() {
        return permissions;
    }

    /** Undoes a half-built server (the media port could not be opened): nothing was started yet. */
    private void closeQuietly() {
        work.close();
        timers.shutdownNow();
        database.close();
    }

    @Override
    public void close() {
        log.info("wavoice.stopping activeCalls={}", calls.size());
        callbacks.close();
        controller.endAll(EndReason.SHUTDOWN, "service shutting down");
        cluster.close();
        peers.close();
        live.close();
        http.close();
        work.close();
        timers.shutdownNow();
        try {
            mediaResources.close();
        } catch (Exception e) {
            log.warn("wavoice.media_close_failed error=\"{}\"", e.toString());
        }
        callLog.close(Duration.ofSeconds(5));
        database.close();
        log.info("wavoice.stopped");
    }
}
