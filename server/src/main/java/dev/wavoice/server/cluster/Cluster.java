package dev.wavoice.server.cluster;

import dev.wavoice.server.call.CallRegistry;
import dev.wavoice.server.store.CallLogRepository;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.ClusterStore;
import dev.wavoice.server.store.ClusterStore.InstanceRecord;
import dev.wavoice.server.whatsapp.WebhookRouting;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance among the others on the same database. Every {@link #HEARTBEAT} it publishes its load and reads its
 * peers'; a peer silent for {@link #LEASE} is lost, and one survivor (the database decides which) ends its calls.
 * Routing: a new call stays here while there is room and this instance is not draining, else goes to the
 * least-loaded live peer; every other event goes to the instance that owns the call's media.
 */
public final class Cluster implements WebhookRouting, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);
    public static final Duration HEARTBEAT = Duration.ofSeconds(2);
    /** A peer whose last heartbeat is older than this is lost; calls of a killed instance end within ~2 leases. */
    public static final Duration LEASE = Duration.ofSeconds(8);
    private static final Duration KEEP_DELIVERIES = Duration.ofHours(24);

    /** What the cluster needs to know about this instance. */
    public record Self(String instanceId, Instant startedAt, boolean singleInstanceDatabase) {
    }

    private final Self self;
    /** Where peers reach this instance; null when they cannot (no forwarding to it). Known once HTTP is up. */
    private volatile String internalUrl;
    private final ClusterStore store;
    private final CallLogRepository calls;
    private final CallRegistry registry;
    private final PeerClient peers;
    private final Consumer<CallRecord> endLostCall;
    private final ScheduledExecutorService timers;
    private final Executor work;
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean crowdWarned = new AtomicBoolean();
    private volatile List<InstanceRecord> view = List.of();
    private volatile ScheduledFuture<?> beat;
    private long beats;

    /**
     * @param endLostCall ends one call of a lost instance (tells Graph, writes the row)
     * @param timers      the shared timer thread, which only schedules: heartbeats run on {@code work}
     */
    public Cluster(Self self, ClusterStore store, CallLogRepository calls, CallRegistry registry, PeerClient peers,
                   Consumer<CallRecord> endLostCall, ScheduledExecutorService timers, Executor work) {
        this.self = self;
        this.store = store;
        this.calls = calls;
        this.registry = registry;
        this.peers = peers;
        this.endLostCall = endLostCall;
        this.timers = timers;
        this.work = work;
    }

    /** Starts the heartbeat; {@code internalUrl} is where peers reach this instance, or null. */
    public Cluster start(String internalUrl) {
        this.internalUrl = internalUrl;
        log.info("cluster.joined instance={} internalUrl={}{}", self.instanceId(), internalUrl,
                self.singleInstanceDatabase() ? " (embedded H2: this instance alone; several share PostgreSQL)" : "");
        beat = timers.scheduleWithFixedDelay(() -> work.execute(this::heartbeatSafely), 0, HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    public String instanceId() {
        return self.instanceId();
    }

    public boolean draining() {
        return draining.get();
    }

    /** From now on new calls go to peers, and peers see this instance as draining at its next heartbeat. */
    public void drain() {
        if (draining.compareAndSet(false, true)) {
            log.info("cluster.draining instance={} liveCalls={}", self.instanceId(), registry.size());
            work.execute(this::heartbeatSafely);
        }
    }

    /** The live peers as last seen, least loaded first. */
    public List<InstanceRecord> livePeers() {
        Instant fresh = Instant.now().minus(LEASE);
        return view.stream()
                .filter(r -> !r.instanceId().equals(self.instanceId()) && r.heartbeatAt().isAfter(fresh)
                        && r.takenOverBy() == null && r.internalUrl() != null)
                .sorted(Comparator.comparingDouble(r -> r.liveCalls() / (double) Math.max(1, r.maxCalls())))
                .toList();
    }

    // ---- routing ----

    @Override
    public Route route(String callId, boolean connect) {
        if (connect) {
            if (!draining.get() && registry.size() < registry.maxCalls()) {
                return HERE;
            }
            List<String> room = livePeers().stream().filter(r -> !r.draining() && r.liveCalls() < r.maxCalls())
                    .map(InstanceRecord::internalUrl).toList();
            return room.isEmpty() ? HERE : new ToPeers(room, false);
        }
        List<InstanceRecord> live = livePeers();
        if (live.isEmpty() || registry.find(callId).isPresent()) {
            return HERE; // alone, or the call is ours: no database round trip on the webhook path
        }
        Optional<CallRecord> row;
        try {
            row = calls.findCall(callId);
            if (row.isEmpty()) { // a call the business placed: its webhooks carry WhatsApp's id, not ours
                row = calls.findCallByWaCallId(callId);
            }
        } catch (SQLException e) {
            row = Optional.empty();
        }
        if (row.isPresent() && row.get().ownerInstance() != null) {
            String owner = row.get().ownerInstance();
            return live.stream().filter(r -> r.instanceId().equals(owner)).findFirst()
                    .<Route>map(r -> new ToPeers(List.of(r.internalUrl()), false))
                    .orElse(HERE); // ours, or its owner is gone (a survivor ends it)
        }
        // Not in the log yet (its connect is being written on another instance) or unknown: whoever has it acts.
        return new ToPeers(live.stream().map(InstanceRecord::internalUrl).toList(), true);
    }

    @Override
    public boolean forward(ToPeers route, String callId, byte[] body) {
        boolean any = false;
        for (String peer : route.peers()) {
            if (peers.post(peer, callId, body)) {
                if (!route.all()) {
                    return true;
                }
                any = true;
            }
        }
        return any;
    }

    // ---- heartbeat and lost peers ----

    /** One heartbeat at a time (a slow database must not pile them up). */
    private void heartbeatSafely() {
        if (!beating.compareAndSet(false, true)) {
            return;
        }
        try {
            heartbeat();
        } catch (SQLException e) {
            log.debug("cluster.heartbeat_failed error=\"{}\"", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("cluster.heartbeat_failed error=\"{}\"", e.toString(), e);
        } finally {
            beating.set(false);
        }
    }

    private void heartbeat() throws SQLException {
        Instant now = Instant.now();
        store.heartbeat(new InstanceRecord(self.instanceId(), internalUrl, registry.size(),
                registry.maxCalls(), draining.get(), self.startedAt(), now, null));
        List<InstanceRecord> all = store.instances();
        view = all;
        Instant expired = now.minus(LEASE);
        for (InstanceRecord r : all) {
            boolean lost = !r.instanceId().equals(self.instanceId()) && r.heartbeatAt().isBefore(expired)
                    && r.takenOverBy() == null;
            if (lost && !draining.get() && store.claimLost(r.instanceId(), self.instanceId(), expired)) {
                takeOver(r);
            }
        }
        int peers = livePeers().size();
        if (self.singleInstanceDatabase() && peers > 0 && crowdWarned.compareAndSet(false, true)) {
            log.warn("cluster.shared_embedded_database peers={} (the embedded H2 database is for one instance: run "
                    + "several instances on PostgreSQL, WAVOICE_DB_URL=jdbc:postgresql://...)", peers);
        }
        if (++beats % 1800 == 1) { // about once an hour
            store.pruneDeliveries(now.minus(KEEP_DELIVERIES));
        }
        if (beats == 1) {
            endLeftovers();
        }
    }

    /**
     * Calls an earlier process with this instance id left open (it was killed, and no survivor saw it because it came
     * back under the same name): their media died with it.
     */
    private void endLeftovers() throws SQLException {
        for (CallRecord call : calls.openCallsOwnedBy(self.instanceId())) {
            if (call.startedAt().isBefore(self.startedAt()) && registry.find(call.callId()).isEmpty()) {
                log.warn("cluster.leftover_call callId={} startedAt={}", call.callId(), call.startedAt());
                endLostCall.accept(call);
            }
        }
    }

    /** This instance won the claim on a lost one: end each of its open calls once. */
    private void takeOver(InstanceRecord lost) throws SQLException {
        List<CallRecord> open = calls.openCallsOwnedBy(lost.instanceId());
        log.warn("cluster.instance_lost instance={} lastHeartbeat={} openCalls={} takenOverBy={}", lost.instanceId(),
                lost.heartbeatAt(), open.size(), self.instanceId());
        for (CallRecord call : open) {
            try {
                endLostCall.accept(call);
            } catch (RuntimeException e) {
                log.warn("cluster.end_lost_call_failed callId={} error=\"{}\"", call.callId(), e.toString());
            }
        }
        store.remove(lost.instanceId());
    }

    /** Stops the heartbeat; an instance leaving with no calls removes its row so nobody takes it over. */
    @Override
    public void close() {
        ScheduledFuture<?> b = beat;
        if (b != null) {
            b.cancel(false);
        }
        if (registry.size() == 0) {
            try {
                store.remove(self.instanceId());
            } catch (SQLException e) {
                log.debug("cluster.remove_failed error=\"{}\"", e.getMessage());
            }
        }
    }
}
