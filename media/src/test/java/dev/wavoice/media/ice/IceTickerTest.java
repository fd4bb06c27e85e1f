package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ticker's timing wheel: connected agents are ticked when a consent check or timeout is due, not every period,
 * and consent freshness keeps its meaning (a check every interval ±20 %, disconnected then failed when the peer
 * falls silent). Asserts counts with wide margins, never a time.
 */
@Timeout(120)
class IceTickerTest {
    static final Duration PERIOD = Duration.ofMillis(10);

    @Test
    void connectedAgentsAreTickedOnlyWhenSomethingIsDue() throws Exception {
        IceConfig config = IceConfig.defaults().withConsent(Duration.ofMillis(500), Duration.ofSeconds(5),
                Duration.ofSeconds(8));
        try (IceTicker ticker = new IceTicker("test-ice-wheel", PERIOD);
             TickedAgents net = new TickedAgents(ticker, 50, config)) {
            int agents = net.agents.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> net.connected.size() == agents);

            long ticks0 = ticker.agentTicks(), consent0 = net.consentRequestsSent(), t0 = System.nanoTime();
            Thread.sleep(3000);
            long ticks = ticker.agentTicks() - ticks0, consent = net.consentRequestsSent() - consent0;
            double periods = (System.nanoTime() - t0) / (double) PERIOD.toNanos();
            double intervals = (System.nanoTime() - t0) / 500e6;

            // Scanning every agent each period would be agents × periods ticks (about 30,000 here).
            System.out.printf("wheel: %d agent ticks for %d agents over %.0f periods (a scan: %.0f); %d consent "
                    + "checks (one per interval would be %.0f)%n", ticks, agents, periods, agents * periods, consent,
                    agents * intervals);
            assertThat((double) ticks).isLessThan(agents * periods / 10);
            // One consent check per agent and interval (jittered ±20 %), each due tick sending one.
            assertThat((double) consent).isBetween(agents * intervals * 0.5, agents * intervals * 1.3);
            assertThat(ticks).isGreaterThanOrEqualTo(consent);
            assertThat(net.disconnected).isEmpty();
            assertThat(net.failed).isEmpty();
        }
    }

    @Test
    void silentPeersTurnDisconnectedThenFailedOnTheWheel() throws Exception {
        IceConfig config = IceConfig.defaults().withConsent(Duration.ofMillis(300), Duration.ofSeconds(1),
                Duration.ofSeconds(2));
        try (IceTicker ticker = new IceTicker("test-ice-wheel", PERIOD);
             TickedAgents net = new TickedAgents(ticker, 10, config)) {
            int agents = net.agents.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> net.connected.size() == agents);

            net.delivering = false;
            await().atMost(Duration.ofSeconds(30)).until(() -> net.failed.size() == agents);
            assertThat(net.disconnected).hasSize(agents);
            assertThat(net.agents).allSatisfy(a -> assertThat(a.state()).isEqualTo(IceState.FAILED));
            // A failed agent needs no clock: nothing more is ticked.
            long ticks = ticker.agentTicks();
            Thread.sleep(300);
            assertThat(ticker.agentTicks()).isEqualTo(ticks);
        }
    }
}
