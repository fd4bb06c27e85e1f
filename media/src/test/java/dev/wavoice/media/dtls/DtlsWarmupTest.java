package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DtlsWarmupTest {

    @Test
    void runsTheAskedNumberOfCompleteHandshakes() throws Exception {
        try (DtlsWarmup warmup = DtlsWarmup.start(3, DtlsConfig.defaults())) {
            assertThat(warmup.await(Duration.ofSeconds(60))).isTrue();
            assertThat(warmup.completed()).isEqualTo(3);
        }
    }

    @Test
    void zeroRunsNothingAndIsDoneAtOnce() throws Exception {
        DtlsWarmup warmup = DtlsWarmup.start(0, DtlsConfig.defaults());
        assertThat(warmup.await(Duration.ZERO)).isTrue();
        assertThat(warmup.completed()).isZero();
    }

    @Test
    void closeStopsItAfterTheHandshakeInProgress() throws Exception {
        DtlsWarmup warmup = DtlsWarmup.start(100_000, DtlsConfig.defaults());
        warmup.close();
        assertThat(warmup.await(Duration.ofSeconds(60))).isTrue();
        assertThat(warmup.completed()).isLessThan(100_000);
    }

    @Test
    void aNegativeCountIsRefused() {
        assertThatThrownBy(() -> DtlsWarmup.start(-1, DtlsConfig.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
