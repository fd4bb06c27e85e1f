package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SessionPolicyTest {

    @Test
    void defaultsRollOverWellBeforeTheSixtyMinuteLimit() {
        SessionPolicy p = SessionPolicy.defaults();
        assertThat(p.rolloverAfter()).isEqualTo(Duration.ofMinutes(55));
        assertThat(p.forceRolloverAfter()).isLessThan(Duration.ofMinutes(60)).isGreaterThan(p.rolloverAfter());
        assertThat(p.reconnectBackoff()).containsExactly(Duration.ofMillis(200), Duration.ofMillis(500),
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void backoffIsJitteredWithinAQuarterAndTheLastDelayRepeats() {
        SessionPolicy p = SessionPolicy.defaults();
        for (int i = 0; i < 200; i++) {
            assertThat(p.backoff(0)).isBetween(Duration.ofMillis(150), Duration.ofMillis(250));
            assertThat(p.backoff(20)).isBetween(Duration.ofMillis(3_000), Duration.ofMillis(5_000));
        }
        assertThat(IntStream.range(0, 50).mapToObj(i -> p.backoff(2)).distinct().count())
                .as("jittered, so reconnecting calls do not stampede").isGreaterThan(1);
    }

    @Test
    void theRolloverAgeComesFromTheEnvironment() {
        SessionPolicy p = SessionPolicy.fromEnvironment(Map.of(SessionPolicy.ROLLOVER_ENV, "600"));
        assertThat(p.rolloverAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.forceRolloverAfter()).isEqualTo(Duration.ofMinutes(13));
        assertThat(SessionPolicy.fromEnvironment(Map.of(SessionPolicy.ROLLOVER_ENV, "3500")).forceRolloverAfter())
                .isEqualTo(Duration.ofSeconds(3_540));
        assertThat(SessionPolicy.fromEnvironment(Map.of())).isEqualTo(SessionPolicy.defaults());
        assertThatThrownBy(() -> SessionPolicy.fromEnvironment(Map.of(SessionPolicy.ROLLOVER_ENV, "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(SessionPolicy.ROLLOVER_ENV);
        assertThatThrownBy(() -> SessionPolicy.fromEnvironment(Map.of(SessionPolicy.ROLLOVER_ENV, "4000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("1..3500");
        assertThat(SessionPolicy.defaults().maxReconnectTime()).isEqualTo(Duration.ofSeconds(10));
        assertThat(SessionPolicy.fromEnvironment(Map.of(SessionPolicy.MAX_SILENCE_ENV, "4")).maxReconnectTime())
                .isEqualTo(Duration.ofSeconds(4));
        assertThatThrownBy(() -> SessionPolicy.fromEnvironment(Map.of(SessionPolicy.MAX_SILENCE_ENV, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(SessionPolicy.MAX_SILENCE_ENV);
        assertThatThrownBy(() -> SessionPolicy.defaults().withReconnect(List.of(), 3, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class);
    }
}
