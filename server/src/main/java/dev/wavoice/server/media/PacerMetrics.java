package dev.wavoice.server.media;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The shared 20 ms pacer's own timing as metrics ({@code wavoice_pacer_*}): how late its ticks start against their
 * absolute deadlines, and how late their last frame leaves, measured on the server's side. Frame timing seen at the
 * callers mixes in their own scheduling; these say whether the server sent on time.
 *
 * <p>One scrape reads a dozen series; they share one {@link PacerStats} snapshot (taking one sorts through the
 * lateness histograms) for as long as a scrape takes.
 */
final class PacerMetrics {
    private static final long SNAPSHOT_NANOS = 500_000_000L;

    private final Pacer pacer;
    private PacerStats snapshot;
    private long snapshotAt;

    private PacerMetrics(Pacer pacer) {
        this.pacer = pacer;
    }

    static void register(Pacer pacer, MeterRegistry metrics) {
        PacerMetrics m = new PacerMetrics(pacer);
        m.counter(metrics, "wavoice_pacer_ticks", "Pacer ticks run", PacerStats::ticks);
        m.counter(metrics, "wavoice_pacer_late_ticks", "Pacer ticks that started later than the lateness threshold",
                PacerStats::lateTicks);
        m.counter(metrics, "wavoice_pacer_skipped_ticks", "Pacer ticks given up after a stall",
                PacerStats::skippedTicks);
        m.counter(metrics, "wavoice_pacer_send_late_ticks",
                "Pacer ticks whose last frame left later than the lateness threshold after the deadline",
                PacerStats::sendLateTicks);
        Gauge.builder("wavoice_pacer_streams", pacer, m.read(PacerStats::streams))
                .description("Streams the pacer drives now").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_seconds", pacer, m.read(s -> s.latenessP50Nanos() / 1e9))
                .tag("quantile", "0.5").description("Tick start minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_seconds", pacer, m.read(s -> s.latenessP99Nanos() / 1e9))
                .tag("quantile", "0.99").description("Tick start minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_max_seconds", pacer, m.read(s -> s.latenessMaxNanos() / 1e9))
                .description("The latest tick start so far, against its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_send_lateness_seconds", pacer, m.read(s -> s.sendLatenessP99Nanos() / 1e9))
                .tag("quantile", "0.99").description("End of a tick's sends minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_send_lateness_max_seconds", pacer, m.read(s -> s.sendLatenessMaxNanos() / 1e9))
                .description("The latest end of a tick's sends so far, against its deadline").register(metrics);
    }

    private void counter(MeterRegistry metrics, String name, String description, ToDoubleFunction<PacerStats> value) {
        FunctionCounter.builder(name, pacer, read(value)).description(description).register(metrics);
    }

    /**
     * The meters' state object is the pacer, which the route keeps alive: Micrometer holds it weakly, and would let
     * this holder go. The function (held strongly) keeps the holder.
     */
    private ToDoubleFunction<Pacer> read(ToDoubleFunction<PacerStats> value) {
        return p -> value.applyAsDouble(stats());
    }

    private synchronized PacerStats stats() {
        long now = System.nanoTime();
        if (snapshot == null || now - snapshotAt > SNAPSHOT_NANOS) {
            snapshot = pacer.stats();
            snapshotAt = now;
        }
        return snapshot;
    }
}
