package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated checks and responses never throw out of handleStun and never connect anything by themselves. */
class IceAgentMangledInputTest {

    @Test
    void mutatedStunIsCountedNeverThrown() {
        FakeNetwork net = new FakeNetwork();
        Random random = new Random(11);
        IceAgent agent = IceAgentFuzzTest.checkingAgent(net, random);
        byte[] valid = StunMessageBuilder.bindingRequest(TransactionId.random(random))
                .add(new StunAttribute.Username(agent.localCredentials().ufrag() + ":peer"))
                .add(new StunAttribute.Priority(1862270975L))
                .add(new StunAttribute.IceControlling(7))
                .add(new StunAttribute.UseCandidate())
                .encode(MessageIntegrity.shortTerm(IceAgentFuzzTest.PEER_PASSWORD), false);

        for (int i = 0; i < 5000; i++) {
            byte[] m = valid.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                m[random.nextInt(m.length)] = (byte) random.nextInt(256);
            }
            int len = random.nextInt(5) == 0 ? random.nextInt(m.length + 1) : m.length;
            agent.handleStun(m, 0, len, IceAgentFuzzTest.PEER, net.now);
            agent.tick(net.now += 1_000_000);
        }

        IceStats s = agent.stats();
        assertThat(s.stunReceived()).isEqualTo(5000);
        assertThat(s.malformed() + s.badIntegrity() + s.unknownUsername() + s.unmatchedResponses()
                + s.requestsAnswered()).isGreaterThan(4900);
        assertThat(agent.state()).isIn(IceState.CHECKING, IceState.FAILED);
    }
}
