package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class PacerMetricsTest {

    @Test
    void theSendSideSeriesCountTicksWhoseFramesLeftLate() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (Pacer pacer = new Pacer(PacerConfig.defaults()).start()) {
            PacerMetrics.register(pacer, metrics);
            System.gc(); // the meters hold their state weakly: what they read must survive a collection
            Pacer.Registration slow = pacer.register((tick, now) -> LockSupport.parkNanos(7_000_000L));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> metrics.get("wavoice_pacer_send_late_ticks").functionCounter().count() >= 3);
            slow.close();
            assertThat(metrics.get("wavoice_pacer_ticks").functionCounter().count()).isGreaterThanOrEqualTo(3);
            assertThat(metrics.get("wavoice_pacer_send_lateness_max_seconds").gauge().value())
                    .isGreaterThanOrEqualTo(0.007);
            // one snapshot serves a scrape; a later scrape sees the stream gone
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> metrics.get("wavoice_pacer_streams").gauge().value() == 0);
        }
    }
}
