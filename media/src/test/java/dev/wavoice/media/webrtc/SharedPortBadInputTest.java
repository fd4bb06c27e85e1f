package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import dev.wavoice.media.transport.UdpMuxStats;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Garbage of every RFC 7983 class, truncated datagrams and forged STUN thrown at the shared port while a real
 * call (Pion echoing) runs on it and a second endpoint waits: every bad datagram is counted and dropped, nothing
 * escapes the receive loop, and the innocent call keeps flowing.
 */
@Timeout(90)
class SharedPortBadInputTest {
    static final Duration T = Duration.ofSeconds(10);

    @Test
    void badDatagramsAreCountedAndTheInnocentCallKeepsFlowing() throws Exception {
        PionPeer.binary();
        try (WebRtcTransport transport = WebRtcTransport.open(
                WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
             PionPeer edge = PionPeer.start(PionPeer.Options.edge().withEcho());
             DatagramSocket rogue = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            RecordingListener innocent = new RecordingListener();
            WebRtcEndpoint call = transport.answer("innocent", edge.offer(T), innocent);
            edge.sendAnswer(call.localDescription());
            call.connected().get(10, TimeUnit.SECONDS);
            WebRtcEndpoint bystander = transport.offer("bystander", new RecordingListener());

            UdpMuxStats before = transport.stats();
            List<byte[]> garbage = garbage(ufragOf(call.localDescription()), ufragOf(bystander.localDescription()));
            InetSocketAddress port = transport.localAddress();
            int seq = 0;
            for (int round = 0; round < 5; round++) {
                for (byte[] g : garbage) {
                    rogue.send(new DatagramPacket(g, g.length, port));
                }
                for (int i = 0; i < 10; i++, seq++) {
                    byte[] packet = RtpPackets.numbered(111, seq, call.localSsrc());
                    assertThat(call.sendRtp(packet, 0, packet.length)).isTrue();
                    Thread.sleep(5);
                }
            }
            int sent = seq;
            await().atMost(T).until(() -> innocent.rtp.size() >= sent - 5);
            await().atMost(T).until(() -> transport.stats().dropped() - before.dropped() >= 5L * (garbage.size() - 2));

            UdpMuxStats after = transport.stats();
            assertThat(after.handlerErrors()).isZero();
            assertThat(after.unclassified()).isGreaterThan(before.unclassified());
            assertThat(after.truncated()).isGreaterThan(before.truncated());
            assertThat(after.unknownAddress()).isGreaterThan(before.unknownAddress());
            assertThat(after.unknownUfrag()).isGreaterThan(before.unknownUfrag());
            assertThat(innocent.events).singleElement().isInstanceOf(EndpointEvent.Connected.class);
            assertThat(call.stats().droppedSrtp()).isZero();
            assertThat(call.connected()).isCompleted();
            bystander.close();
            call.close();
        }
    }

    private static String ufragOf(String sdp) {
        return sdp.lines().filter(l -> l.startsWith("a=ice-ufrag:")).findFirst().orElseThrow().substring(12);
    }

    /** One of each kind of bad datagram a hostile or broken sender could produce. */
    private static List<byte[]> garbage(String callUfrag, String bystanderUfrag) {
        Random random = new Random(7);
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        out.add(new byte[] {0});                                    // STUN class, truncated
        out.add(new byte[] {(byte) 0x80});                          // RTP class, truncated
        out.add(new byte[] {22});                                   // DTLS class, truncated
        out.add(bytes(random, 200, 0x00));                          // STUN class, no magic cookie
        out.add(bytes(random, 200, 23));                            // DTLS-looking, unknown address
        out.add(bytes(random, 172, 0x80));                          // RTP-looking, unknown address
        out.add(bytes(random, 100, 0xC8));                          // RTCP-looking, unknown address
        out.add(bytes(random, 64, 100));                            // outside every RFC 7983 range
        out.add(bytes(random, 64, 255));
        SecureRandom sr = new SecureRandom();
        // Well-formed Binding requests: one for nobody, two for our endpoints but signed with the wrong password.
        out.add(StunMessageBuilder.bindingRequest(TransactionId.random(sr))
                .add(new StunAttribute.Username("nobody:x")).encode(MessageIntegrity.shortTerm("wrong-password-123456"), true));
        out.add(StunMessageBuilder.bindingRequest(TransactionId.random(sr))
                .add(new StunAttribute.Username(callUfrag + ":x")).encode(MessageIntegrity.shortTerm("wrong-password-123456"), true));
        out.add(StunMessageBuilder.bindingRequest(TransactionId.random(sr))
                .add(new StunAttribute.Username(bystanderUfrag + ":x")).encode(MessageIntegrity.shortTerm("wrong-password-123456"), true));
        return out;
    }

    private static byte[] bytes(Random random, int length, int firstByte) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        b[0] = (byte) firstByte;
        return b;
    }
}
