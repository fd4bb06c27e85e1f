package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.OpenAiStandIn;
import dev.wavoice.media.interop.StandInEvent;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.agent.AgentConfig;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentMedia;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.RealtimeConnector;
import dev.wavoice.server.agent.SessionPolicy;
import dev.wavoice.server.config.Secret;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Realtime service's session limit over WebRTC: before it, the session rolls over to a new leg (new offer, new
 * agent call id, the new session configured before the old leg closes), exactly as over the WebSocket. Here with a
 * 2 s limit against the stand-in for OpenAI's endpoint, wavoice's own media stack making the legs.
 */
@Timeout(60)
class WebRtcRolloverTest {
    static final Duration T = Duration.ofSeconds(15);
    static final String KEY = "sk-rollover-test";

    @BeforeAll
    static void buildPeer() {
        OpenAiStandIn.binary();
    }

    @Test
    void theSessionRollsOverToANewLegBeforeItsLimit() throws Exception {
        List<AgentEvent> events = new CopyOnWriteArrayList<>();
        List<AgentLeg> legs = new CopyOnWriteArrayList<>();
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults().withKey(KEY));
             WebRtcTransport transport = WebRtcTransport.open(
                     WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
             RealtimeConnector connector = new RealtimeConnector(
                     AgentConfig.defaults(URI.create(openai.realtimeUrl()), Secret.of(KEY)), Duration.ofSeconds(5),
                     RealtimeConnector.DEFAULT_MAX_EVENT_CHARS,
                     SessionPolicy.defaults().withRollover(Duration.ofSeconds(2), Duration.ofSeconds(4)))) {
            AgentMedia media = n -> {
                AgentLeg leg = new AgentLeg(transport, "rollover-" + n, n, (l, b, o, len) -> { }, new SecureRandom());
                legs.add(leg);
                return leg;
            };
            AgentSession session = connector.open("wacid.ROLLOVER", events::add, media).get();
            try {
                await().atMost(T).until(() -> events.stream().anyMatch(e ->
                        e instanceof AgentEvent.Reconnected r && r.reason().equals("rollover")));
                AgentEvent.Reconnected r = events.stream().filter(AgentEvent.Reconnected.class::isInstance)
                        .map(AgentEvent.Reconnected.class::cast).findFirst().orElseThrow();
                assertThat(r.silentMs()).as("the new leg was configured before the old one closed").isZero();
                assertThat(legs).hasSizeGreaterThanOrEqualTo(2);
                assertThat(legs.get(1).connected()).isCompleted();
                String second = legs.get(1).agentCallId();
                assertThat(second).isNotEqualTo(legs.get(0).agentCallId());
                openai.awaitClientEvent(second, "session.update", T);
                StandInEvent closed = openai.awaitEvent("sideband_closed", legs.get(0).agentCallId(), T);
                assertThat(closed.longValue("code")).as("the old leg's sideband closed normally").isEqualTo(1000);
                await().atMost(T).until(() -> legs.get(0).lost().isDone());
            } finally {
                session.close();
            }
        }
    }
}
