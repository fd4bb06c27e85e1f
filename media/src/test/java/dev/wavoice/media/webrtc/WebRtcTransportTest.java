package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Answers to the WhatsApp fixture offer: candidates known at once, typed errors for bad offers, no leaks. */
class WebRtcTransportTest {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void answersTheWhatsAppFixtureWithHostAndAnnouncedCandidatesAtOnce() throws Exception {
        InetAddress publicIp = InetAddress.getByName("203.0.113.5");
        try (WebRtcTransport t = WebRtcTransport.open(WebRtcTransportConfig.defaults(LOOPBACK)
                .withAnnouncedAddress(publicIp))) {
            int port = t.localAddress().getPort();
            WebRtcEndpoint e = t.answer("fixture", SdpFixtures.whatsAppOffer(), new RecordingListener());
            String answer = e.localDescription();

            assertThat(answer).contains("a=setup:active", "a=mid:audio", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                    "a=rtpmap:126 telephone-event/8000", "a=group:BUNDLE audio", "a=ice-ufrag:", "a=ice-pwd:")
                    .doesNotContain("a=ice-lite", "sha-1");
            // The announced address comes first and fills m= and c=: it is what WhatsApp's edge can reach.
            assertThat(answer).contains("m=audio " + port + " UDP/TLS/RTP/SAVPF 111 126", "c=IN IP4 203.0.113.5");
            assertThat(answer).containsPattern("a=candidate:\\S+ 1 udp \\d+ 203\\.0\\.113\\.5 " + port
                    + " typ srflx raddr 127\\.0\\.0\\.1 rport " + port);
            assertThat(answer).containsPattern("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 " + port + " typ host");
            assertThat(e.negotiated().remoteIceLite()).isTrue();
            assertThat(e.negotiated().opusPayloadType()).isEqualTo(111);
            e.close();
            assertThat(t.endpointCount()).isZero();
        }
    }

    @Test
    void aStunLearnedAddressJoinsLaterAnswersAndIsNeverWaitedFor() throws Exception {
        InetSocketAddress mapped = new InetSocketAddress("198.51.100.77", 61000);
        CountDownLatch release = new CountDownLatch(1);
        try (DatagramSocket stun = new DatagramSocket(LOOPBACK)) {
            Thread.ofVirtual().start(() -> answerAfter(stun, release, mapped));
            try (WebRtcTransport t = WebRtcTransport.open(WebRtcTransportConfig.defaults(LOOPBACK)
                    .withStunServer((InetSocketAddress) stun.getLocalSocketAddress()))) {
                String early = t.answer("early", SdpFixtures.whatsAppOffer(), new RecordingListener()).localDescription();
                assertThat(early).doesNotContain("198.51.100.77");

                release.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> t.answer("late-" + System.nanoTime(),
                        SdpFixtures.whatsAppOffer(), new RecordingListener()).localDescription().contains("198.51.100.77 61000 typ srflx"));
            }
        }
    }

    @Test
    void badOffersGetTypedErrorsAndLeaveNothingBehind() throws Exception {
        try (WebRtcTransport t = WebRtcTransport.open(WebRtcTransportConfig.defaults(LOOPBACK))) {
            String offer = SdpFixtures.whatsAppOffer();
            assertThatThrownBy(() -> t.answer("bad", offer.replace("m=audio 40012", "m=audio forty"), new RecordingListener()))
                    .isInstanceOf(SdpParseException.class).hasMessageContaining("m=audio forty");
            assertThatThrownBy(() -> t.answer("video", offer.replace("m=audio", "m=video"), new RecordingListener()))
                    .isInstanceOf(SdpNegotiationException.class);
            assertThatThrownBy(() -> t.answer("no-opus", offer.replace("opus/48000/2", "PCMU/8000"), new RecordingListener()))
                    .isInstanceOf(SdpNegotiationException.class).hasMessageContaining("opus");
            assertThatThrownBy(() -> t.answer("no-fp", offer.replaceAll("a=fingerprint:.*\\R", ""), new RecordingListener()))
                    .isInstanceOf(SdpNegotiationException.class);
            assertThat(t.endpointCount()).isZero();
            assertThat(t.failureStats()).as("every refused offer counted, nothing else")
                    .isEqualTo(new EndpointFailureStats(4, 0, 0, 0, 0, 0));
        }
    }

    private static void answerAfter(DatagramSocket server, CountDownLatch release, InetSocketAddress mapped) {
        try {
            byte[] buf = new byte[1500];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                server.receive(p);
                if (release.getCount() > 0) {
                    continue; // not yet: the transport retransmits, and nobody may wait meanwhile
                }
                StunMessage request = StunMessage.parse(p.getData(), 0, p.getLength());
                if (request != null && request.isBindingRequest()) {
                    byte[] response = StunMessageBuilder.bindingSuccess(request.transactionId())
                            .add(new StunAttribute.XorMappedAddress(mapped)).encode(null, true);
                    server.send(new DatagramPacket(response, response.length, p.getSocketAddress()));
                    return;
                }
            }
        } catch (IOException e) {
            if (!server.isClosed()) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
