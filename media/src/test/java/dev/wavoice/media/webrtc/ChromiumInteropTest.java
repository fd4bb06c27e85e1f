package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.AudioSource;
import dev.wavoice.media.interop.ChromiumBrowser;
import dev.wavoice.media.interop.ChromiumPeer;
import dev.wavoice.media.interop.PeerStats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our endpoint against libwebrtc (headless Chromium), a full ICE agent: Chromium as the offerer (we answer,
 * controlled, DTLS client) and as the answerer (we offer, controlling, DTLS server). One browser for the class.
 */
@Timeout(120)
class ChromiumInteropTest {
    static final Duration T = Duration.ofSeconds(15);
    /** An Opus CELT 20 ms frame of silence (RFC 6716 TOC 0xF8): decodable, so Chromium counts and plays it. */
    static final byte[] OPUS_SILENCE = {(byte) 0xF8, (byte) 0xFF, (byte) 0xFE};

    static ChromiumBrowser chromium;
    static WebRtcTransport transport;

    @BeforeAll
    static void start() throws Exception {
        chromium = ChromiumBrowser.start();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
    }

    @AfterAll
    static void stop() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void chromiumOffersWeAnswer() throws Exception {
        RecordingListener ours = new RecordingListener();
        try (ChromiumPeer browser = chromium.newPeer(AudioSource.tone(523))) {
            // Our agent does not resolve mDNS names and the test network is loopback: keep Chromium's 127.0.0.1.
            String offer = ChromiumPeer.keepOnlyCandidatesOn(browser.createOffer(), "127.0.0.1");
            WebRtcEndpoint endpoint = transport.answer("chromium-offerer", offer, ours);
            assertThat(endpoint.localDescription()).contains("a=setup:active").doesNotContain("a=ice-lite");
            browser.acceptAnswer(endpoint.localDescription());

            endpoint.connected().get(15, TimeUnit.SECONDS);
            browser.awaitConnected(T);
            sendSilence(endpoint, 50);

            await().atMost(T).until(() -> ours.rtp.size() >= 20);
            await().atMost(T).until(() -> browser.stats().packetsReceived() >= 20);
            PeerStats stats = browser.stats();
            assertThat(stats.dtlsState()).isEqualTo("connected");
            assertThat(stats.dtlsRole()).isEqualTo("server");
            assertThat(stats.inboundCodec()).containsIgnoringCase("opus");
            assertThat(ours.rtp).allSatisfy(p -> assertThat(p[1] & 0x7F)
                    .isEqualTo(endpoint.negotiated().opusPayloadType()));
            assertThat(endpoint.stats().droppedSrtp()).isZero();
            endpoint.close();
        }
    }

    @Test
    void weOfferChromiumAnswers() throws Exception {
        RecordingListener ours = new RecordingListener();
        try (ChromiumPeer browser = chromium.newPeer(AudioSource.tone(659))) {
            WebRtcEndpoint endpoint = transport.offer("chromium-answerer", ours);
            assertThat(endpoint.localDescription()).contains("a=setup:actpass").doesNotContain("a=ice-lite");
            String answer = ChromiumPeer.keepOnlyCandidatesOn(browser.acceptOffer(endpoint.localDescription()),
                    "127.0.0.1");
            assertThat(answer).contains("a=setup:active");
            endpoint.applyAnswer(answer);

            endpoint.connected().get(15, TimeUnit.SECONDS);
            browser.awaitConnected(T);
            sendSilence(endpoint, 50);

            await().atMost(T).until(() -> ours.rtp.size() >= 20);
            await().atMost(T).until(() -> browser.stats().packetsReceived() >= 20);
            assertThat(browser.stats().dtlsRole()).isEqualTo("client");
            assertThat(endpoint.stats().droppedSrtp()).isZero();
            endpoint.close();
        }
    }

    private static void sendSilence(WebRtcEndpoint endpoint, int frames) throws InterruptedException {
        int pt = endpoint.negotiated().opusPayloadType();
        for (int i = 0; i < frames; i++) {
            byte[] packet = RtpPackets.packet(pt, i, 960L * i, endpoint.localSsrc(), OPUS_SILENCE);
            endpoint.sendRtp(packet, 0, packet.length);
            Thread.sleep(20);
        }
    }
}
