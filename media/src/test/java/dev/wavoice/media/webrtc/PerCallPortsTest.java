package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.sdp.SdpFixtures;
import dev.wavoice.media.transport.PortRange;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-call media ports: each call answered on a socket of its own from the configured range (for edges that reuse
 * one address and port across calls), proven against Pion as WhatsApp's edge; the port goes back to the range when
 * the call ends, and a full range refuses the next call instead of sharing a port.
 */
@Timeout(90)
class PerCallPortsTest {
    static final Duration T = Duration.ofSeconds(10);

    /** Two consecutive free UDP ports on loopback. */
    private static int freePair() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                base = probe.getLocalPort();
            }
            if (base < 65535) {
                try (DatagramSocket a = new DatagramSocket(base, InetAddress.getLoopbackAddress());
                     DatagramSocket b = new DatagramSocket(base + 1, InetAddress.getLoopbackAddress())) {
                    return base;
                } catch (java.net.BindException e) {
                    // taken meanwhile: try another
                }
            }
        }
        throw new IllegalStateException("no two consecutive free UDP ports");
    }

    private static int candidatePort(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("a=candidate:")).map(l -> Integer.parseInt(l.split(" ")[5]))
                .findFirst().orElseThrow();
    }

    @Test
    void eachCallGetsItsOwnPortFromTheRangeAndGivesItBack() throws Exception {
        PionPeer.binary();
        int base = freePair();
        PortRange range = new PortRange(base, base + 1);
        try (WebRtcTransport transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(
                new InetSocketAddress("127.0.0.1", 0)).withPerCallPorts(range));
             PionPeer first = PionPeer.start(PionPeer.Options.edge().withEcho());
             PionPeer second = PionPeer.start(PionPeer.Options.edge().withEcho())) {
            RecordingListener heard1 = new RecordingListener(), heard2 = new RecordingListener();
            WebRtcEndpoint one = transport.answer("call-1", first.offer(T), heard1);
            WebRtcEndpoint two = transport.answer("call-2", second.offer(T), heard2);
            int port1 = candidatePort(one.localDescription()), port2 = candidatePort(two.localDescription());
            assertThat(List.of(port1, port2)).containsExactlyInAnyOrder(base, base + 1);
            assertThat(port1).isNotEqualTo(transport.localAddress().getPort());

            first.sendAnswer(one.localDescription());
            second.sendAnswer(two.localDescription());
            one.connected().get(10, TimeUnit.SECONDS);
            two.connected().get(10, TimeUnit.SECONDS);
            for (WebRtcEndpoint e : List.of(one, two)) {
                for (int i = 0; i < 30; i++) {
                    byte[] packet = RtpPackets.numbered(111, i, e.localSsrc());
                    e.sendRtp(packet, 0, packet.length);
                    Thread.sleep(5);
                }
            }
            await().atMost(T).until(() -> heard1.rtp.size() >= 25 && heard2.rtp.size() >= 25);

            // The range is full: a third call is refused rather than put on a shared port.
            assertThatThrownBy(() -> transport.answer("call-3", SdpFixtures.whatsAppOffer(), new RecordingListener()))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("no free UDP port");

            one.close();
            WebRtcEndpoint three = transport.answer("call-4", SdpFixtures.whatsAppOffer(), new RecordingListener());
            assertThat(candidatePort(three.localDescription())).as("the closed call's port is free again")
                    .isEqualTo(port1);
            three.close();
            two.close();
        }
    }

    @Test
    void rangesAreParsedStrictly() {
        assertThat(PortRange.parse(" 40000-40999 ")).isEqualTo(new PortRange(40000, 40999));
        assertThat(PortRange.parse("40000-40999").size()).isEqualTo(1000);
        assertThatThrownBy(() -> PortRange.parse("40000")).hasMessageContaining("40000-40999");
        assertThatThrownBy(() -> PortRange.parse("5-2")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> PortRange.parse("0-10")).isInstanceOf(IllegalArgumentException.class);
    }
}
