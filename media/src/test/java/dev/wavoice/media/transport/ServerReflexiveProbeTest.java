package dev.wavoice.media.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ServerReflexiveProbeTest {
    static final InetSocketAddress MAPPED = new InetSocketAddress("198.51.100.77", 61000);

    @Test
    void learnsTheMappedAddressEvenWhenTheFirstRequestIsLost() throws Exception {
        try (UdpMux mux = UdpMux.open("probe", UdpMuxTest.ANY_LOOPBACK);
             DatagramSocket server = new DatagramSocket(UdpMuxTest.ANY_LOOPBACK)) {
            Thread responder = Thread.ofVirtual().start(() -> answerSecondRequest(server));

            ServerReflexiveProbe probe = ServerReflexiveProbe.start(mux,
                    (InetSocketAddress) server.getLocalSocketAddress(), Duration.ofMillis(50), 4);

            assertThat(probe.addressIfKnown()).isNull(); // nobody waits: it is simply not known yet
            assertThat(probe.result().get(5, TimeUnit.SECONDS)).isEqualTo(MAPPED);
            assertThat(probe.addressIfKnown()).isEqualTo(MAPPED);
            responder.join(1000);
            awaitNoEndpoints(mux);
        }
    }

    @Test
    void givesUpWhenTheServerNeverAnswers() throws Exception {
        try (UdpMux mux = UdpMux.open("probe", UdpMuxTest.ANY_LOOPBACK);
             DatagramSocket silent = new DatagramSocket(UdpMuxTest.ANY_LOOPBACK)) {
            ServerReflexiveProbe probe = ServerReflexiveProbe.start(mux,
                    (InetSocketAddress) silent.getLocalSocketAddress(), Duration.ofMillis(20), 2);

            assertThatThrownBy(() -> probe.result().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
            assertThat(probe.addressIfKnown()).isNull();
            awaitNoEndpoints(mux);
        }
    }

    /** A STUN server that drops the first request and answers the retransmission (RFC 8489 §6.2.1). */
    private static void answerSecondRequest(DatagramSocket server) {
        try {
            byte[] buf = new byte[1500];
            for (int i = 0; i < 2; i++) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                server.receive(p);
                StunMessage request = StunMessage.parse(p.getData(), 0, p.getLength());
                if (i == 0 || request == null || !request.isBindingRequest()) {
                    continue;
                }
                byte[] response = StunMessageBuilder.bindingSuccess(request.transactionId())
                        .add(new StunAttribute.XorMappedAddress(MAPPED)).encode(null, true);
                server.send(new DatagramPacket(response, response.length, p.getSocketAddress()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitNoEndpoints(UdpMux mux) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (mux.endpointCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(mux.endpointCount()).isZero();
    }
}
