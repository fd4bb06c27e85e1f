package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The start-up self-call: it connects both ways an offer may come (full ICE, ICE-lite) and its frames come back. */
@Timeout(60)
class LoopbackSelfCallTest {

    @Test
    void bothKindsOfOfferConnectAndEchoEveryFrame() throws Exception {
        try (WebRtcTransport service = WebRtcTransport.open(WebRtcTransportConfig.defaults(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            LoopbackSelfCall selfCall = new LoopbackSelfCall(service, OpusCodecs.best().codec());
            for (int i = 0; i < 4; i++) { // alternates: full ICE, ICE-lite, full, lite
                SelfCall.Result r = selfCall.run("selfcall-" + i, Duration.ofSeconds(15));
                assertThat(r.framesBack()).as("call %d", i).isGreaterThanOrEqualTo(LoopbackSelfCall.FRAMES);
                assertThat(r.connectedMs()).isGreaterThanOrEqualTo(r.answerMs());
            }
            assertThat(service.endpointCount()).as("every self-call hung up").isZero();
        }
    }

    @Test
    void theEchoLineNeedsNoCodec() throws Exception {
        try (WebRtcTransport service = WebRtcTransport.open(WebRtcTransportConfig.defaults(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))) {
            SelfCall.Result r = new LoopbackSelfCall(service, null).run("selfcall-echo", Duration.ofSeconds(15));
            assertThat(r.framesBack()).isGreaterThanOrEqualTo(LoopbackSelfCall.FRAMES);
        }
    }

    @Test
    void anIceLiteOfferSaysSoAtSessionLevel() {
        String offer = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        assertThat(LoopbackSelfCall.asIceLiteEdge(offer))
                .isEqualTo("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\na=group:BUNDLE 0\r\n"
                        + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    }
}
