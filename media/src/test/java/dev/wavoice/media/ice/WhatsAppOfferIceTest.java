package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.dtls.DtlsFingerprint;
import dev.wavoice.media.dtls.DtlsRole;
import dev.wavoice.media.sdp.Candidate;
import dev.wavoice.media.sdp.LocalMediaParameters;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.media.sdp.SdpNegotiator;
import dev.wavoice.media.sdp.SessionDescription;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The WhatsApp-shaped offer, answered by the SDP layer, connected by the ICE agent to a lite responder. */
class WhatsAppOfferIceTest {

    @Test
    void answerToTheFixtureOfferConnectsToTheLiteEdge() throws Exception {
        FakeNetwork net = new FakeNetwork();
        Random random = new Random(5);
        InetSocketAddress ours = new InetSocketAddress("10.0.0.5", 3478);
        InetSocketAddress publicAddress = new InetSocketAddress("198.51.100.20", 3478);
        IceCredentials credentials = IceCredentials.random(random);
        List<IceEvent> events = new ArrayList<>();
        IceAgent agent = new IceAgent("wa-call", IceConfig.defaults(), credentials, IceRole.CONTROLLED,
                net.senderFor(ours), events::add, random);
        agent.addLocalCandidate(IceCandidate.announced(publicAddress, ours, 65535));
        agent.addLocalCandidate(IceCandidate.host(ours, 65534));
        net.attach(ours, agent);

        SessionDescription offer = SessionDescription.parse(SdpFixtures.whatsAppOffer());
        List<Candidate> localSdp = agent.localCandidates().stream().map(IceCandidate::toSdp).toList();
        SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, new LocalMediaParameters(credentials.ufrag(),
                credentials.pwd(), new DtlsFingerprint(DtlsFingerprint.SHA_256, new byte[32]), localSdp,
                DtlsRole.CLIENT, 1234L, "cname", 7L));
        NegotiatedAudio n = answer.negotiated();
        LiteResponder edge = new LiteResponder(new IceCredentials(n.remoteUfrag(), n.remotePwd()), net,
                new InetSocketAddress("203.0.113.60", 40012));
        net.attach(new InetSocketAddress("203.0.113.60", 40012), edge);

        agent.setRemoteCredentials(n.remoteUfrag(), n.remotePwd(), n.remoteIceLite());
        n.remoteCandidates().stream().map(IceCandidate::fromSdp).filter(Objects::nonNull)
                .forEach(agent::addRemoteCandidate);
        agent.start(net.now);
        net.runUntil(() -> agent.state() == IceState.CONNECTED, 1000);

        assertThat(answer.sdp().write()).contains("a=candidate:" + localSdp.getFirst().format())
                .contains("typ srflx raddr 10.0.0.5").doesNotContain("ice-lite");
        assertThat(agent.role()).isEqualTo(IceRole.CONTROLLING);
        assertThat(agent.selectedPair().remote().address()).isEqualTo(new InetSocketAddress("203.0.113.60", 40012));
        assertThat(agent.selectedPair().local().address()).isEqualTo(ours);
        assertThat(edge.useCandidates).isPositive();
        assertThat(events).last().isInstanceOf(IceEvent.Connected.class);
    }
}
