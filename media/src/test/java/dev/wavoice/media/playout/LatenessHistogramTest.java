package dev.wavoice.media.playout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenessHistogramTest {
    @Test
    void percentilesAcrossFineAndCoarseBuckets() {
        LatenessHistogram h = new LatenessHistogram(5_000_000);
        for (int i = 0; i < 98; i++) {
            h.record(95_000); // 95 µs
        }
        h.record(-3); // early counts as on time
        h.record(40_500_000); // 40.5 ms
        assertThat(h.count()).isEqualTo(100);
        assertThat(h.percentileNanos(0.5)).isEqualTo(100_000);
        assertThat(h.percentileNanos(0.99)).isEqualTo(100_000);
        assertThat(h.percentileNanos(1.0)).isEqualTo(40_500_000);
        assertThat(h.maxNanos()).isEqualTo(40_500_000);
        assertThat(h.lateCount()).isEqualTo(1);
    }
}
