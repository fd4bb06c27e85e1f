package dev.wavoice.server.cluster;

import dev.wavoice.server.store.ClusterStore;
import dev.wavoice.server.whatsapp.Deliveries;
import dev.wavoice.server.whatsapp.EventDeduplicator;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook de-duplication every instance on the database shares: a redelivery that lands on another instance is a
 * repeat too. This instance's own recent keys are checked in memory first (no round trip for the common repeat);
 * while the database is away it falls back to memory alone, since calls must not wait for the call log.
 */
public final class SharedDeliveries implements Deliveries {
    private static final Logger log = LoggerFactory.getLogger(SharedDeliveries.class);

    private final ClusterStore store;
    private final EventDeduplicator recent = new EventDeduplicator(50_000);
    private final MeterRegistry metrics;
    private final AtomicBoolean degradedLogged = new AtomicBoolean();

    public SharedDeliveries(ClusterStore store, MeterRegistry metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @Override
    public boolean firstTime(String key) {
        if (!recent.firstTime(key)) {
            return false;
        }
        try {
            boolean first = store.firstDelivery(key, Instant.now());
            degradedLogged.set(false);
            return first;
        } catch (SQLException e) {
            metrics.counter("wavoice.webhook.dedup_degraded").increment();
            if (degradedLogged.compareAndSet(false, true)) {
                log.warn("webhook.dedup_degraded error=\"{}\" (de-duplicating in memory until the database is back: a "
                        + "redelivery to another instance meanwhile may be processed twice)", e.getMessage());
            }
            return true;
        }
    }

    @Override
    public void forget(String key) {
        recent.forget(key);
        try {
            store.forgetDelivery(key);
        } catch (SQLException e) {
            log.warn("webhook.dedup_forget_failed key={} error=\"{}\"", key, e.getMessage());
        }
    }
}
