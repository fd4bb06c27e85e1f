package dev.wavoice.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.ice.IceRole;
import dev.wavoice.media.ice.IceTicker;
import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real loopback UDP: ICE agents on shared ports, garbage of every class, and demultiplexing. */
class UdpMuxTest {
    static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    final List<AutoCloseable> closeables = new ArrayList<>();
    final IceTicker ticker = new IceTicker("test-ice-ticker", Duration.ofMillis(5));

    @AfterEach
    void closeAll() throws Exception {
        ticker.close();
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    UdpMux mux(String name) throws Exception {
        UdpMux mux = UdpMux.open(name, ANY_LOOPBACK);
        closeables.add(mux);
        return mux;
    }

    MuxPeer peer(String id, UdpMux mux, IceRole role) {
        MuxPeer p = new MuxPeer(id, mux, role);
        ticker.add(p.agent);
        return p;
    }

    void connect(MuxPeer a, MuxPeer b) {
        a.connectTo(b);
        b.connectTo(a);
        a.agent.start(System.nanoTime());
        b.agent.start(System.nanoTime());
        await(() -> a.connected() && b.connected(), "ICE between " + a.id + " and " + b.id);
    }

    @Test
    void twoAgentsOnTwoMuxesConnectAndCarryMediaBothWays() throws Exception {
        MuxPeer a = peer("a", mux("m1"), IceRole.CONTROLLING);
        MuxPeer b = peer("b", mux("m2"), IceRole.CONTROLLED);

        connect(a, b);
        a.sendMedia(PacketClass.RTP, "hello-b");
        b.sendMedia(PacketClass.DTLS, "hello-a");

        assertThat(b.media.poll(2, TimeUnit.SECONDS)).isEqualTo("RTP:hello-b");
        assertThat(a.media.poll(2, TimeUnit.SECONDS)).isEqualTo("DTLS:hello-a");
        assertThat(a.agent.selectedPair().remote().address()).isEqualTo(b.mux.localAddress());
    }

    @Test
    void twoEndpointsOnOneMuxAreDemultiplexed() throws Exception {
        UdpMux shared = mux("shared");
        MuxPeer a = peer("a", shared, IceRole.CONTROLLING);
        MuxPeer c = peer("c", shared, IceRole.CONTROLLED);
        MuxPeer b = peer("b", mux("mb"), IceRole.CONTROLLED);
        MuxPeer d = peer("d", mux("md"), IceRole.CONTROLLING);

        connect(a, b);
        connect(c, d);
        b.sendMedia(PacketClass.RTP, "for-a");
        d.sendMedia(PacketClass.RTP, "for-c");
        d.sendMedia(PacketClass.DTLS, "also-for-c");

        assertThat(a.media.poll(2, TimeUnit.SECONDS)).isEqualTo("RTP:for-a");
        assertThat(c.media.poll(2, TimeUnit.SECONDS)).isEqualTo("RTP:for-c");
        assertThat(c.media.poll(2, TimeUnit.SECONDS)).isEqualTo("DTLS:also-for-c");
        assertThat(a.media).isEmpty();
        assertThat(shared.endpointCount()).isEqualTo(2);
        assertThat(shared.stats().dropped()).isZero();
    }

    @Test
    void garbageOfEveryClassIsCountedAndDroppedWhileTheInnocentEndpointKeepsWorking() throws Exception {
        UdpMux m1 = mux("m1");
        MuxPeer a = peer("a", m1, IceRole.CONTROLLING);
        MuxPeer b = peer("b", mux("m2"), IceRole.CONTROLLED);
        MuxEndpoint thrower = m1.register("thrower", "boom", (cls, buf, off, len, from) -> {
            throw new IllegalStateException("a buggy endpoint");
        });
        connect(a, b);
        UdpMuxStats before = m1.stats();

        DatagramSocket junk = new DatagramSocket(ANY_LOOPBACK);
        closeables.add(junk);
        Random r = new Random(3);
        byte[] noCookie = new byte[40];
        r.nextBytes(noCookie);
        noCookie[0] = 0x01;
        byte[] unknownUfragCheck = StunMessageBuilder.bindingRequest(TransactionId.random(r))
                .add(new StunAttribute.Username("nobody:x")).encode(MessageIntegrity.shortTerm("x"), true);
        byte[] strayResponse = StunMessageBuilder.bindingSuccess(TransactionId.random(r))
                .add(new StunAttribute.XorMappedAddress(a.mux.localAddress())).encode();
        byte[] toThrower = StunMessageBuilder.bindingRequest(TransactionId.random(r))
                .add(new StunAttribute.Username("boom:x")).encode();
        List<byte[]> garbage = List.of(
                new byte[] {0x00, 0x01, 0x02},              // STUN class, truncated
                noCookie,                                   // STUN class, no magic cookie
                unknownUfragCheck,                          // Binding request for nobody
                strayResponse,                              // response from an unknown address
                filled(22, 60, r),                          // DTLS from an unknown address
                filled(0x80, 100, r),                       // RTP from an unknown address
                filled(0x80, 5, r),                         // RTP class, truncated
                filled(64, 30, r),                          // TURN channel range: not served
                filled(16, 30, r),                          // ZRTP range: not served
                filled(200, 30, r),                         // above RTP range
                new byte[0],                                // empty
                filled(0x80, 3000, r),                      // larger than the receive buffer
                toThrower);                                 // reaches a handler that throws
        for (byte[] g : garbage) {
            junk.send(new DatagramPacket(g, g.length, m1.localAddress()));
        }
        // From b's real (routed) address: a check for a with the wrong password, and DTLS-class noise.
        byte[] forgedCheck = StunMessageBuilder.bindingRequest(TransactionId.random(r))
                .add(new StunAttribute.Username(a.credentials.ufrag() + ":" + b.credentials.ufrag()))
                .add(new StunAttribute.IceControlled(1))
                .encode(MessageIntegrity.shortTerm("not-the-password-123456"), true);
        b.endpoint.send(forgedCheck, 0, forgedCheck.length, m1.localAddress());
        await(() -> m1.stats().received() - before.received() >= garbage.size() + 1, "all garbage received");
        await(() -> a.agent.stats().badIntegrity() == 1, "the forged check to be rejected");

        UdpMuxStats s = m1.stats();
        assertThat(s.truncated() - before.truncated()).isEqualTo(4);
        assertThat(s.malformedStun() - before.malformedStun()).isEqualTo(1);
        assertThat(s.unknownUfrag() - before.unknownUfrag()).isEqualTo(1);
        assertThat(s.unknownAddress() - before.unknownAddress()).isEqualTo(3);
        assertThat(s.unclassified() - before.unclassified()).isEqualTo(3);
        assertThat(s.handlerErrors() - before.handlerErrors()).isEqualTo(1);
        assertThat(thrower.packetsReceived()).isEqualTo(1);

        // The innocent call is untouched: still connected, media still flows both ways.
        b.sendMedia(PacketClass.RTP, "still-here");
        a.sendMedia(PacketClass.RTP, "me-too");
        assertThat(a.media.poll(2, TimeUnit.SECONDS)).isEqualTo("RTP:still-here");
        assertThat(b.media.poll(2, TimeUnit.SECONDS)).isEqualTo("RTP:me-too");
        assertThat(a.connected()).isTrue();
    }

    @Test
    void closingAnEndpointReleasesItsUfragAndAddresses() throws Exception {
        UdpMux m1 = mux("m1");
        MuxPeer a = peer("a", m1, IceRole.CONTROLLING);
        MuxPeer b = peer("b", mux("m2"), IceRole.CONTROLLED);
        connect(a, b);

        a.agent.close();
        a.endpoint.close();
        long unknownBefore = m1.stats().unknownAddress();
        b.sendMedia(PacketClass.RTP, "anyone?");

        await(() -> m1.stats().unknownAddress() == unknownBefore + 1, "the datagram to be dropped as unknown");
        assertThat(m1.endpointCount()).isZero();
        assertThat(a.media).isEmpty();
        await(() -> ticker.size() == 1, "the ticker to drop the closed agent");
    }

    private static byte[] filled(int firstByte, int length, Random r) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        b[0] = (byte) firstByte;
        return b;
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
