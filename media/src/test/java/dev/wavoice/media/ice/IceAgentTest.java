package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IceAgentTest {
    static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 5000);
    static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 6000);
    static final InetSocketAddress LITE = new InetSocketAddress("203.0.113.60", 40012);

    final FakeNetwork net = new FakeNetwork();
    final Random random = new Random(42);
    final List<IceEvent> eventsA = new ArrayList<>();
    final List<IceEvent> eventsB = new ArrayList<>();

    IceAgent agent(String id, InetSocketAddress self, IceRole role, List<IceEvent> events) {
        IceAgent agent = new IceAgent(id, IceConfig.defaults(), IceCredentials.random(random), role,
                net.senderFor(self), events::add, random);
        agent.addLocalCandidate(IceCandidate.host(self, 65535));
        net.attach(self, agent);
        return agent;
    }

    LiteResponder lite() {
        LiteResponder lite = new LiteResponder(IceCredentials.random(random), net, LITE);
        net.attach(LITE, lite);
        return lite;
    }

    static IceCandidate host(InetSocketAddress a) {
        return IceCandidate.host(a, 65535);
    }

    static void introduce(IceAgent from, IceAgent to, InetSocketAddress fromAddress, boolean withCandidate) {
        to.setRemoteCredentials(from.localCredentials().ufrag(), from.localCredentials().pwd(), false);
        if (withCandidate) {
            to.addRemoteCandidate(host(fromAddress));
        }
    }

    @Test
    void controllingTowardIceLiteNominatesAggressivelyAndConnects() {
        IceAgent a = agent("a", A, IceRole.CONTROLLED, eventsA); // answerer, but the lite peer makes us control
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));

        a.start(net.now);
        long ms = net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);

        assertThat(ms).isLessThan(50);
        assertThat(a.role()).isEqualTo(IceRole.CONTROLLING);
        assertThat(eventsA).hasSize(2);
        assertThat(eventsA.get(0)).isInstanceOf(IceEvent.Checking.class);
        assertThat(eventsA.get(1)).isEqualTo(new IceEvent.Connected(new CandidatePair(host(A), host(LITE))));
        assertThat(lite.useCandidates).isEqualTo(lite.requests).isPositive();
        assertThat(lite.controlling).isEqualTo(lite.requests);
        assertThat(net.routed).contains(LITE);
    }

    @Test
    void towardIceLiteAnUnreachableCandidateDoesNotHoldUpTheWorkingOne() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        InetSocketAddress blackHole = new InetSocketAddress("198.51.100.9", 3478);
        a.addRemoteCandidate(new IceCandidate(CandidateType.HOST, blackHole, 2130706431L, "x", null)); // ranked first
        a.addRemoteCandidate(new IceCandidate(CandidateType.HOST, LITE, 2113937151L, "y", null));

        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 2000);

        assertThat(a.selectedPair().remote().address()).isEqualTo(LITE);
        assertThat(net.routed).contains(blackHole); // its check is still being retransmitted
        net.run(10_000);
        assertThat(net.routed).containsExactly(LITE); // released once its last check gave up
    }

    @Test
    void towardIceLiteABetterPairConfirmedLaterReplacesTheSelectedOne() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        IceCredentials edge = IceCredentials.random(random);
        InetSocketAddress better = new InetSocketAddress("203.0.113.61", 40012);
        net.attach(LITE, new LiteResponder(edge, net, LITE));
        net.attach(better, new LiteResponder(edge, net, better));
        a.setRemoteCredentials(edge.ufrag(), edge.pwd(), true);
        a.addRemoteCandidate(new IceCandidate(CandidateType.HOST, better, 2130706431L, "b", null));
        a.addRemoteCandidate(new IceCandidate(CandidateType.HOST, LITE, 2113937151L, "a", null));
        int[] toDrop = {1};
        net.drop = d -> d.to().equals(better) && toDrop[0]-- > 0; // the better pair's first check is lost

        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);
        assertThat(a.selectedPair().remote().address()).isEqualTo(LITE);
        net.run(1000);

        // The lite peer takes the highest-priority nominated pair, so we must end up there too.
        assertThat(a.selectedPair().remote().address()).isEqualTo(better);
        assertThat(eventsA).hasExactlyElementsOfTypes(IceEvent.Checking.class, IceEvent.Connected.class,
                IceEvent.Connected.class);
        assertThat(net.routed).containsExactly(better);
    }

    @Test
    void candidatesOfAnotherAddressFamilyAreNotPaired() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::60", 40012);
        a.addRemoteCandidate(new IceCandidate(CandidateType.HOST, v6, 2130706431L, "6", null));
        a.addRemoteCandidate(host(LITE));

        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);

        assertThat(net.sent).noneMatch(d -> d.to().equals(v6)); // we have no IPv6 base to send from
        assertThat(a.selectedPair().remote().address()).isEqualTo(LITE);
    }

    @Test
    void fullAgainstFullUsesRegularNomination() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        IceAgent b = agent("b", B, IceRole.CONTROLLED, eventsB);
        introduce(a, b, A, true);
        introduce(b, a, B, true);

        a.start(net.now);
        b.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED && b.state() == IceState.CONNECTED, 2000);

        assertThat(a.role()).isEqualTo(IceRole.CONTROLLING);
        assertThat(b.role()).isEqualTo(IceRole.CONTROLLED);
        assertThat(a.selectedPair()).isEqualTo(new CandidatePair(host(A), host(B)));
        assertThat(b.selectedPair()).isEqualTo(new CandidatePair(host(B), host(A)));
        List<StunMessage> fromA = requestsFrom(A);
        assertThat(fromA.getFirst().has(StunAttribute.UseCandidate.class)).isFalse(); // check first, nominate later
        assertThat(fromA).anyMatch(m -> m.has(StunAttribute.UseCandidate.class));
        assertThat(a.stats().roleConflicts() + b.stats().roleConflicts()).isZero();
    }

    @Test
    void bothControllingResolveTheConflictByTieBreaker() {
        assertConflictResolved(IceRole.CONTROLLING);
    }

    @Test
    void bothControlledResolveTheConflictByTieBreaker() {
        assertConflictResolved(IceRole.CONTROLLED);
    }

    private void assertConflictResolved(IceRole both) {
        IceAgent a = agent("a", A, both, eventsA);
        IceAgent b = agent("b", B, both, eventsB);
        introduce(a, b, A, true);
        introduce(b, a, B, true);

        a.start(net.now);
        b.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED && b.state() == IceState.CONNECTED, 3000);

        assertThat(a.state()).isEqualTo(IceState.CONNECTED);
        assertThat(b.state()).isEqualTo(IceState.CONNECTED);
        assertThat(a.role()).isNotEqualTo(b.role());
        IceAgent winner = Long.compareUnsigned(a.tieBreaker(), b.tieBreaker()) >= 0 ? a : b;
        assertThat(winner.role()).isEqualTo(IceRole.CONTROLLING); // RFC 8445 §7.3.1.1: larger tie-breaker controls
        assertThat(a.stats().roleConflicts() + b.stats().roleConflicts()).isPositive();
    }

    @Test
    void controlledAgentLearnsAPeerReflexiveCandidate() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        IceAgent b = agent("b", B, IceRole.CONTROLLED, eventsB);
        introduce(a, b, A, false); // b never hears of A's candidate (e.g. a NAT in between)
        introduce(b, a, B, true);

        a.start(net.now);
        b.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED && b.state() == IceState.CONNECTED, 2000);

        assertThat(b.selectedPair().remote().type()).isEqualTo(CandidateType.PEER_REFLEXIVE);
        assertThat(b.selectedPair().remote().address()).isEqualTo(A);
        assertThat(b.selectedPair().remote().priority()).isEqualTo(IceMessages.prflxPriority(host(A)));
    }

    @Test
    void checksArrivingBeforeThePeersCredentialsAreAnsweredAndFollowedUp() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        IceAgent b = agent("b", B, IceRole.CONTROLLED, eventsB);
        introduce(b, a, B, true); // a has b's answer; b has not yet received a's credentials (signalling race)
        a.start(net.now);
        b.start(net.now);
        net.run(300);
        assertThat(b.stats().requestsAnswered()).isPositive();
        assertThat(b.state()).isEqualTo(IceState.CHECKING);

        introduce(a, b, A, false);
        net.runUntil(() -> a.state() == IceState.CONNECTED && b.state() == IceState.CONNECTED, 2000);

        assertThat(b.selectedPair().remote().address()).isEqualTo(A);
        assertThat(a.selectedPair().remote().address()).isEqualTo(B);
    }

    @Test
    void lostChecksAreRetransmitted() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));
        int[] toDrop = {3};
        net.drop = d -> d.from().equals(A) && toDrop[0]-- > 0;

        a.start(net.now);
        long ms = net.runUntil(() -> a.state() == IceState.CONNECTED, 5000);

        assertThat(a.state()).isEqualTo(IceState.CONNECTED);
        assertThat(a.stats().retransmissions()).isEqualTo(3);
        assertThat(a.stats().checksSent()).isEqualTo(1);
        assertThat(ms).isBetween(250L + 500 + 1000, 250L + 500 + 1000 + 20); // RTO 250 ms, doubling
    }

    @Test
    void failsWhenNothingAnswersWithinTheTimeout() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        a.setRemoteCredentials("nobody", "nobody-password-123456789", true);
        a.addRemoteCandidate(host(LITE)); // nothing attached there

        a.start(net.now);
        long ms = net.runUntil(() -> a.state() == IceState.FAILED, 20_000);

        assertThat(ms).isBetween(10_000L, 10_010L);
        assertThat(eventsA.getLast()).isInstanceOf(IceEvent.Failed.class);
        assertThat(a.stats().retransmissions()).isEqualTo(6);
    }

    @Test
    void consentFreshnessKeepsTheCallAndItsLossFailsIt() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));
        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);

        net.run(60_000);
        long consents = a.stats().consentRequestsSent();
        assertThat(consents).isBetween(10L, 15L); // every 5 s ± 20 %
        assertThat(a.stats().consentResponses()).isEqualTo(consents);
        assertThat(a.state()).isEqualTo(IceState.CONNECTED);

        net.drop = d -> d.from().equals(LITE); // the peer vanishes
        long ms = net.runUntil(() -> a.state() == IceState.FAILED, 60_000);

        assertThat(ms).isBetween(30_000L - 6_000, 30_000L); // 30 s after the last answered consent check
        assertThat(eventsA).hasExactlyElementsOfTypes(IceEvent.Checking.class, IceEvent.Connected.class,
                IceEvent.Disconnected.class, IceEvent.Failed.class);
        assertThat(((IceEvent.Failed) eventsA.getLast()).reason()).contains("consent");
    }

    @Test
    void consentRecoversFromATemporaryOutage() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));
        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);

        net.drop = d -> d.from().equals(LITE);
        net.runUntil(() -> a.state() == IceState.DISCONNECTED, 20_000);
        net.drop = d -> false;
        net.runUntil(() -> a.state() == IceState.CONNECTED, 10_000);

        assertThat(eventsA).hasExactlyElementsOfTypes(IceEvent.Checking.class, IceEvent.Connected.class,
                IceEvent.Disconnected.class, IceEvent.Connected.class);
    }

    @Test
    void requestsWithBadIntegrityOrUnknownUsernameAreDroppedAndCounted() {
        IceAgent a = agent("a", A, IceRole.CONTROLLED, eventsA);
        a.setRemoteCredentials("peer", "peer-password-1234567890", false);
        String user = a.localCredentials().ufrag() + ":peer";
        int before = net.sent.size();

        inject(a, user, MessageIntegrity.shortTerm("wrong-password-1234567890"));
        inject(a, "someoneelse:peer", MessageIntegrity.shortTerm(a.localCredentials().pwd()));
        inject(a, a.localCredentials().ufrag() + ":intruder", MessageIntegrity.shortTerm(a.localCredentials().pwd()));
        byte[] garbage = {0, 1, 0, 0, 0x21, 0x12, (byte) 0xa4, 0x42, 1, 2, 3};
        a.handleStun(garbage, 0, garbage.length, B, net.now);
        inject(a, user, MessageIntegrity.shortTerm(a.localCredentials().pwd())); // the genuine one

        assertThat(a.stats().badIntegrity()).isEqualTo(1);
        assertThat(a.stats().unknownUsername()).isEqualTo(2);
        assertThat(a.stats().malformed()).isEqualTo(1);
        assertThat(a.stats().requestsAnswered()).isEqualTo(1);
        assertThat(net.sent.subList(before, net.sent.size())).hasSize(1); // only the genuine check was answered
    }

    @Test
    void responsesWithBadIntegrityAreDroppedAndTheCheckStillSucceeds() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));
        net.drop = d -> d.from().equals(LITE); // hold back the genuine answer at first
        a.start(net.now);
        net.run(5);
        StunMessage check = requestsFrom(A).getFirst();
        byte[] forged = StunMessageBuilder.bindingSuccess(check.transactionId())
                .add(new StunAttribute.XorMappedAddress(A))
                .encode(MessageIntegrity.shortTerm("forger-password-123456789"), true);

        a.handleStun(forged, 0, forged.length, LITE, net.now);
        assertThat(a.stats().badIntegrity()).isEqualTo(1);
        assertThat(a.state()).isEqualTo(IceState.CHECKING);

        net.drop = d -> false;
        net.runUntil(() -> a.state() == IceState.CONNECTED, 2000);
        assertThat(a.state()).isEqualTo(IceState.CONNECTED);
    }

    @Test
    void closeReleasesRoutesAndReportsClosed() {
        IceAgent a = agent("a", A, IceRole.CONTROLLING, eventsA);
        LiteResponder lite = lite();
        a.setRemoteCredentials(lite.credentials.ufrag(), lite.credentials.pwd(), true);
        a.addRemoteCandidate(host(LITE));
        a.start(net.now);
        net.runUntil(() -> a.state() == IceState.CONNECTED, 1000);

        a.close();
        int sent = net.sent.size();
        net.run(20_000);

        assertThat(eventsA.getLast()).isInstanceOf(IceEvent.Closed.class);
        assertThat(net.routed).isEmpty();
        assertThat(net.sent).hasSize(sent); // no consent checks after close
    }

    private void inject(IceAgent agent, String username, MessageIntegrity key) {
        byte[] check = StunMessageBuilder.bindingRequest(TransactionId.random(random))
                .add(new StunAttribute.Username(username))
                .add(new StunAttribute.Priority(1000))
                .add(new StunAttribute.IceControlling(1))
                .encode(key, true);
        agent.handleStun(check, 0, check.length, B, net.now);
    }

    private List<StunMessage> requestsFrom(InetSocketAddress from) {
        List<StunMessage> out = new ArrayList<>();
        for (FakeNetwork.Datagram d : net.sent) {
            StunMessage m = StunMessage.parse(d.data(), 0, d.data().length);
            if (d.from().equals(from) && m != null && m.isBindingRequest()) {
                out.add(m);
            }
        }
        return out;
    }
}
