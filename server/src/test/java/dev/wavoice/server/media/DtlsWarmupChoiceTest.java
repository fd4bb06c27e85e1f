package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WAVOICE_DTLS_WARMUP: a count of startup handshakes, 0 for none, anything else refused at startup. */
class DtlsWarmupChoiceTest {

    @Test
    void unsetOrBlankMeansTheDefault() {
        assertThat(CallMediaFactory.dtlsWarmup(Map.of())).isEqualTo(CallMediaFactory.DEFAULT_DTLS_WARMUP);
        assertThat(CallMediaFactory.dtlsWarmup(Map.of(CallMediaFactory.DTLS_WARMUP_ENV, " ")))
                .isEqualTo(CallMediaFactory.DEFAULT_DTLS_WARMUP);
    }

    @Test
    void aCountIsTakenAndZeroTurnsItOff() {
        assertThat(CallMediaFactory.dtlsWarmup(Map.of(CallMediaFactory.DTLS_WARMUP_ENV, "1500"))).isEqualTo(1500);
        assertThat(CallMediaFactory.dtlsWarmup(Map.of(CallMediaFactory.DTLS_WARMUP_ENV, "0"))).isZero();
    }

    @Test
    void aNegativeOrNonNumericValueIsAConfigError() {
        assertThatThrownBy(() -> CallMediaFactory.dtlsWarmup(Map.of(CallMediaFactory.DTLS_WARMUP_ENV, "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CallMediaFactory.DTLS_WARMUP_ENV);
        assertThatThrownBy(() -> CallMediaFactory.dtlsWarmup(Map.of(CallMediaFactory.DTLS_WARMUP_ENV, "lots")))
                .isInstanceOf(ConfigException.class);
    }
}
