package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.sdp.DtlsRole;
import dev.wavoice.media.sdp.Fingerprint;
import dev.wavoice.media.sdp.LocalMediaParameters;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.sdp.SdpNegotiator;
import dev.wavoice.media.sdp.SessionDescription;
import dev.wavoice.media.transport.MuxEndpoint;
import dev.wavoice.media.transport.PacketClass;
import dev.wavoice.media.transport.UdpMux;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * SDP and ICE against libwebrtc in headless Chromium, both as its answerer and as its offerer. There is no
 * DTLS here yet, so the check stops at ICE connected on both sides (and Chromium's DTLS reaching our port).
 * Opt-in: {@code mvn -pl media verify -Dwavoice.interop=true}; needs Debian's chromium and chromium-driver.
 */
@EnabledIfSystemProperty(named = "wavoice.interop", matches = "true")
class ChromiumIceInteropTest {
    static WebDriverSession chromium;
    static IceTicker ticker;

    @BeforeAll
    static void startChromium() throws Exception {
        chromium = new WebDriverSession("/usr/bin/chromedriver", "/usr/bin/chromium");
        ticker = new IceTicker("chromium-interop-ticker", Duration.ofMillis(5));
    }

    @AfterAll
    static void stopChromium() throws Exception {
        ticker.close();
        chromium.close();
    }

    /** Our side of one call on its own mux. */
    record Side(UdpMux mux, IceAgent agent, IceCandidate host, IceCredentials credentials, AtomicLong dtls)
            implements AutoCloseable {
        static Side open(IceRole role) throws Exception {
            UdpMux mux = UdpMux.open("chromium-interop", new InetSocketAddress("127.0.0.1", 0));
            IceCredentials credentials = IceCredentials.random(new SecureRandom());
            IceAgent[] agent = new IceAgent[1];
            AtomicLong dtls = new AtomicLong();
            MuxEndpoint endpoint = mux.register("chromium-interop", credentials.ufrag(), (cls, buf, off, len, from) -> {
                if (cls == PacketClass.STUN) {
                    agent[0].handleStun(buf, off, len, from, System.nanoTime());
                } else if (cls == PacketClass.DTLS) {
                    dtls.incrementAndGet();
                }
            });
            agent[0] = new IceAgent("chromium-interop", IceConfig.defaults(), credentials, role, endpoint, e -> { },
                    new SecureRandom());
            IceCandidate host = IceCandidate.host(mux.localAddress(), 65535);
            agent[0].addLocalCandidate(host);
            return new Side(mux, agent[0], host, credentials, dtls);
        }

        LocalMediaParameters local() {
            return new LocalMediaParameters(credentials.ufrag(), credentials.pwd(),
                    new Fingerprint("sha-256", new SecureRandom().generateSeed(32)), List.of(host.toSdp()),
                    DtlsRole.CLIENT, 0x1234_5678L, "wavoice", 1L);
        }

        void start(NegotiatedAudio n) {
            agent.setRemoteCredentials(n.remoteUfrag(), n.remotePwd(), n.remoteIceLite());
            n.remoteCandidates().stream().map(IceCandidate::fromSdp).filter(Objects::nonNull)
                    .forEach(agent::addRemoteCandidate);
            ticker.add(agent);
            agent.start(System.nanoTime());
        }

        @Override
        public void close() throws Exception {
            agent.close();
            mux.close();
        }
    }

    @Test
    void chromiumOffersWeAnswerAsControlledAgent() throws Exception {
        try (Side ours = Side.open(IceRole.CONTROLLED)) {
            String offer = chromium.executeAsync("""
                    const done = arguments[arguments.length - 1];
                    window.pcA = new RTCPeerConnection();
                    pcA.addTransceiver('audio', {direction: 'sendrecv'});
                    pcA.onicegatheringstatechange = () => {
                      if (pcA.iceGatheringState === 'complete') done(pcA.localDescription.sdp);
                    };
                    pcA.createOffer().then(o => pcA.setLocalDescription(o)).catch(e => done('ERR ' + e));
                    """);
            SdpNegotiator.Answer answer = SdpNegotiator.answer(SessionDescription.parse(offer), ours.local());
            ours.start(answer.negotiated());

            String applied = chromium.executeAsync("""
                    const done = arguments[arguments.length - 1];
                    pcA.setRemoteDescription({type: 'answer', sdp: arguments[0]})
                       .then(() => done('ok')).catch(e => done('ERR ' + e));
                    """, answer.sdp().write());

            assertThat(applied).isEqualTo("ok");
            assertThat(awaitIce("pcA", ours)).isEqualTo("connected");
            assertThat(ours.agent.role()).isEqualTo(IceRole.CONTROLLED);
        }
    }

    @Test
    void weOfferChromiumAnswersAndWeControl() throws Exception {
        try (Side ours = Side.open(IceRole.CONTROLLING)) {
            SessionDescription offer = SdpNegotiator.createOffer(ours.local());
            String answer = chromium.executeAsync("""
                    const done = arguments[arguments.length - 1];
                    window.pcB = new RTCPeerConnection();
                    pcB.onicegatheringstatechange = () => {
                      if (pcB.iceGatheringState === 'complete') done(pcB.localDescription.sdp);
                    };
                    pcB.setRemoteDescription({type: 'offer', sdp: arguments[0]})
                       .then(() => pcB.createAnswer()).then(a => pcB.setLocalDescription(a))
                       .catch(e => done('ERR ' + e));
                    """, offer.write());
            assertThat(answer).startsWith("v=0");
            NegotiatedAudio n = SdpNegotiator.applyAnswer(offer, SessionDescription.parse(answer));
            ours.start(n);

            assertThat(awaitIce("pcB", ours)).isEqualTo("connected");
            assertThat(ours.agent.role()).isEqualTo(IceRole.CONTROLLING);
            assertThat(n.localDtlsRole()).isEqualTo(DtlsRole.SERVER); // Chromium answers actpass with active
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (ours.dtls.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(ours.dtls.get()).as("Chromium's ClientHello reached our endpoint").isPositive();
        }
    }

    private static String awaitIce(String pc, Side ours) throws Exception {
        String state = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !(state.equals("connected") && ours.agent.state() == IceState.CONNECTED)) {
            Thread.sleep(50);
            state = chromium.executeAsync("arguments[arguments.length - 1](" + pc + ".iceConnectionState);");
        }
        assertThat(ours.agent.state()).isEqualTo(IceState.CONNECTED);
        return state;
    }
}
