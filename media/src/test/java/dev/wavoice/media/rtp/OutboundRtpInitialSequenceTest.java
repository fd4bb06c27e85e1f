package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.srtp.SrtpContext;
import dev.wavoice.media.srtp.SrtpOptions;
import dev.wavoice.media.srtp.SrtpProfile;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The peer's SRTP receiver starts our stream at rollover counter 0 from the first packet it sees. Our first packets
 * can all be lost (sent before the peer finished DTLS); the initial sequence number must leave room for that, or a
 * wrap among them makes every later packet fail authentication at the peer. Found by SrtpUnprotectFuzzTest.
 */
class OutboundRtpInitialSequenceTest {
    private static final int LOST_AT_START = 32_767;

    /** The largest value each draw allows, the worst case for an early wrap. */
    private static final RandomGenerator HIGHEST = new RandomGenerator() {
        @Override
        public long nextLong() {
            return -1;
        }

        @Override
        public int nextInt(int bound) {
            return bound - 1;
        }
    };

    @Test
    void thePeerAuthenticatesOurFirstPacketToArriveAfterThirtyTwoThousandLost() {
        OutboundRtp rtp = OutboundRtp.create(0x1234_5678L, 48_000, 0, HIGHEST);
        byte[] key = new byte[16];
        byte[] salt = new byte[14];
        Arrays.fill(key, (byte) 7);
        SrtpContext sender = SrtpContext.create(SrtpProfile.AES_CM_128_HMAC_SHA1_80, key, salt, SrtpOptions.defaults());
        SrtpContext peer = SrtpContext.create(SrtpProfile.AES_CM_128_HMAC_SHA1_80, key, salt, SrtpOptions.defaults());
        byte[] packet = new byte[12 + 20 + 10];
        int first = -1;
        for (int i = 0; i <= LOST_AT_START; i++) {
            int header = rtp.writeHeader(packet, 0, 111, false, 960L * i, 0, 20, i);
            if (first < 0) {
                first = RtpPacket.u16(packet, 2);
            }
            assertThat(sender.protectRtp(packet, 0, header + 20)).isEqualTo(header + 20 + 10);
        }

        assertThat(peer.unprotectRtp(packet, 0, packet.length)).as("the first packet the peer sees").isEqualTo(32);
        assertThat(first).isLessThan(1 << 15);
    }
}
