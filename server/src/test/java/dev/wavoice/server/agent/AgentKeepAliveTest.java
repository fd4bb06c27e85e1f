package dev.wavoice.server.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.server.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentKeepAliveTest {

    @Test
    void pingsThreeTimesPerBoundAndTheBoundComesFromTheEnvironment() {
        assertThat(AgentKeepAlive.fromEnvironment(Map.of())).isEqualTo(
                new AgentKeepAlive(Duration.ofMillis(3_333).plusNanos(333_333), Duration.ofSeconds(10)));
        AgentKeepAlive six = AgentKeepAlive.fromEnvironment(Map.of(AgentKeepAlive.STALL_ENV, " 6 "));
        assertThat(six.stallAfter()).isEqualTo(Duration.ofSeconds(6));
        assertThat(six.pingEvery()).isEqualTo(Duration.ofSeconds(2));
        assertThat(AgentKeepAlive.fromEnvironment(Map.of(AgentKeepAlive.STALL_ENV, ""))).isEqualTo(
                AgentKeepAlive.defaults());
    }

    @Test
    void aBoundOutsideItsRangeOrNotANumberIsRefusedByName() {
        for (String bad : new String[] {"2", "301", "ten"}) {
            assertThatThrownBy(() -> AgentKeepAlive.fromEnvironment(Map.of(AgentKeepAlive.STALL_ENV, bad)))
                    .isInstanceOf(ConfigException.class).hasMessageContaining(AgentKeepAlive.STALL_ENV);
        }
        assertThatThrownBy(() -> new AgentKeepAlive(Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .isInstanceOf(ConfigException.class);
    }
}
