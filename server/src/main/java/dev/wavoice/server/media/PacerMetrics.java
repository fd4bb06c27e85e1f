package dev.wavoice.server.media;

import dev.wavoice.media.playout.Pacer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The shared 20 ms pacer's own timing as metrics ({@code wavoice_pacer_*}): how late its ticks start against their
 * absolute deadlines, measured on the server's side. Frame timing seen at the callers mixes in their own scheduling;
 * these say whether the server sent on time.
 */
final class PacerMetrics {
    private PacerMetrics() {
    }

    static void register(Pacer pacer, MeterRegistry metrics) {
        FunctionCounter.builder("wavoice_pacer_ticks", pacer, p -> p.stats().ticks())
                .description("Pacer ticks run").register(metrics);
        FunctionCounter.builder("wavoice_pacer_late_ticks", pacer, p -> p.stats().lateTicks())
                .description("Pacer ticks that started later than the lateness threshold").register(metrics);
        FunctionCounter.builder("wavoice_pacer_skipped_ticks", pacer, p -> p.stats().skippedTicks())
                .description("Pacer ticks given up after a stall").register(metrics);
        Gauge.builder("wavoice_pacer_streams", pacer, p -> p.stats().streams())
                .description("Streams the pacer drives now").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_seconds", pacer, p -> p.stats().latenessP50Nanos() / 1e9)
                .tag("quantile", "0.5").description("Tick start minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_seconds", pacer, p -> p.stats().latenessP99Nanos() / 1e9)
                .tag("quantile", "0.99").description("Tick start minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_lateness_max_seconds", pacer, p -> p.stats().latenessMaxNanos() / 1e9)
                .description("The latest tick start so far, against its deadline").register(metrics);
        FunctionCounter.builder("wavoice_pacer_send_late_ticks", pacer, p -> p.stats().sendLateTicks())
                .description("Pacer ticks whose last frame left later than the lateness threshold after the deadline")
                .register(metrics);
        Gauge.builder("wavoice_pacer_send_lateness_seconds", pacer, p -> p.stats().sendLatenessP99Nanos() / 1e9)
                .tag("quantile", "0.99").description("End of a tick's sends minus its deadline").register(metrics);
        Gauge.builder("wavoice_pacer_send_lateness_max_seconds", pacer, p -> p.stats().sendLatenessMaxNanos() / 1e9)
                .description("The latest end of a tick's sends so far, against its deadline").register(metrics);
    }
}
