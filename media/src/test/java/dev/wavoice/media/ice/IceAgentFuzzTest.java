package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunMessage;
import java.net.InetSocketAddress;
import java.util.Random;

/**
 * A STUN datagram from the network handed to a checking ICE agent. It is counted once, never escapes as an exception,
 * and is answered only when it carries a MESSAGE-INTEGRITY made with our password: bytes nobody signed cannot make
 * the agent reply, so they cannot make it nominate a pair or leak a reflexive address.
 */
class IceAgentFuzzTest {
    static final String PEER_PASSWORD = "peer-password-1234567890";
    static final InetSocketAddress SELF = new InetSocketAddress("10.0.0.1", 5000);
    static final InetSocketAddress PEER = new InetSocketAddress("10.0.0.2", 6000);

    /** A controlled agent on {@link #SELF}, checking, that knows the peer's ufrag "peer" and {@link #PEER_PASSWORD}. */
    static IceAgent checkingAgent(FakeNetwork net, Random random) {
        IceAgent agent = new IceAgent("fuzz", IceConfig.defaults(), IceCredentials.random(random), IceRole.CONTROLLED,
                net.senderFor(SELF), e -> { }, random);
        agent.addLocalCandidate(IceCandidate.host(SELF, 65535));
        agent.setRemoteCredentials("peer", PEER_PASSWORD, false);
        agent.start(net.now);
        return agent;
    }

    @FuzzTest
    void unsignedStunIsCountedNeverAnswered(byte[] input) {
        FakeNetwork net = new FakeNetwork();
        IceAgent agent = checkingAgent(net, new Random(11));
        IceStats before = agent.stats();

        agent.handleStun(input, 0, input.length, PEER, net.now);

        IceStats after = agent.stats();
        assertThat(after.stunReceived() - before.stunReceived()).isEqualTo(1);
        StunMessage m = StunMessage.parse(input, 0, input.length);
        boolean signedWithOurPassword = m != null
                && MessageIntegrity.shortTerm(agent.localCredentials().pwd()).verify(input, 0, m);
        if (!signedWithOurPassword) {
            assertThat(after.requestsAnswered()).as("answered a message nobody signed").isEqualTo(
                    before.requestsAnswered());
            assertThat(agent.state()).isNotEqualTo(IceState.CONNECTED);
        }
        agent.tick(net.now += 50_000_000);
    }
}
