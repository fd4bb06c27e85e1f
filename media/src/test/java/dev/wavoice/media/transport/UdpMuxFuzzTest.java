package dev.wavoice.media.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any datagram at the shared port, from the peer the endpoint has routed or from a stranger, through the RFC 7983
 * demultiplexer: it is counted in exactly one class (STUN, DTLS, RTP) or as unclassified/truncated, and then either
 * reaches the endpoint with the class its first byte names or is counted as dropped, never both, never neither.
 */
class UdpMuxFuzzTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.1", 40001);
    private static UdpMux mux;
    private static PacketClass delivered;
    private static int deliveries;

    @BeforeAll
    static void openMux() throws IOException {
        mux = UdpMux.open("fuzz", new InetSocketAddress("127.0.0.1", 0));
        MuxEndpoint endpoint = mux.register("fuzz-call", "fuzzU", (cls, buf, off, len, from) -> {
            delivered = cls;
            deliveries++;
        });
        endpoint.route(PEER);
    }

    @AfterAll
    static void closeMux() throws IOException {
        mux.close();
    }

    @FuzzTest
    void everyDatagramLandsInOneClassOrIsDropped(byte[] input) {
        InetSocketAddress from = input.length > 0 && (input[input.length - 1] & 1) != 0 ? STRANGER : PEER;
        // As the receive loop does: the datagram at the start of a reused, larger buffer.
        byte[] buffer = Arrays.copyOf(input, Math.max(input.length, UdpMux.RECEIVE_BUFFER));
        UdpMuxStats before = mux.stats();
        int deliveriesBefore = deliveries;
        delivered = null;

        mux.dispatch(buffer, input.length, from);

        UdpMuxStats after = mux.stats();
        long classified = (after.stun() - before.stun()) + (after.dtls() - before.dtls()) + (after.rtp() - before.rtp());
        long unclassifiable = (after.unclassified() - before.unclassified()) + (after.truncated() - before.truncated());
        int delivery = deliveries - deliveriesBefore;
        assertThat(after.received() - before.received()).isEqualTo(1);
        assertThat(classified + unclassifiable).as("counted in one class or as unclassifiable").isEqualTo(1);
        assertThat(delivery + (after.dropped() - before.dropped())).as("delivered or dropped").isEqualTo(1);
        PacketClass expected = input.length == 0 ? null : PacketClass.of(input[0]);
        if (delivery == 1) {
            assertThat(delivered).isEqualTo(expected);
            assertThat(input.length).isGreaterThanOrEqualTo(expected.minimumLength());
        }
        if (expected == null) {
            assertThat(classified).isZero();
        }
    }
}
