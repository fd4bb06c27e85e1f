package dev.wavoice.media.stun;

import static dev.wavoice.media.stun.StunMessageRfc5769Test.SAMPLE_REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StunMessageTest {
    final TransactionId tid = TransactionId.random(new Random(7));
    final MessageIntegrity key = MessageIntegrity.shortTerm("pwd-of-the-receiver-123");

    @Test
    void iceCheckRoundTripsWithIntegrityAndFingerprint() {
        byte[] wire = StunMessageBuilder.bindingRequest(tid)
                .add(new StunAttribute.Username("remote:local"))
                .add(new StunAttribute.Priority(1853817087L))
                .add(new StunAttribute.IceControlling(0xFEDCBA9876543210L))
                .add(new StunAttribute.UseCandidate())
                .encode(key, true);

        StunMessage m = StunMessage.parse(wire, 0, wire.length);

        assertThat(m).isNotNull();
        assertThat(m.isBindingRequest()).isTrue();
        assertThat(m.transactionId()).isEqualTo(tid);
        assertThat(m.username()).isEqualTo("remote:local");
        assertThat(m.get(StunAttribute.Priority.class).value()).isEqualTo(1853817087L);
        assertThat(m.get(StunAttribute.IceControlling.class).tieBreaker()).isEqualTo(0xFEDCBA9876543210L);
        assertThat(m.has(StunAttribute.UseCandidate.class)).isTrue();
        assertThat(m.hasFingerprint()).isTrue();
        assertThat(key.verify(wire, 0, m)).isTrue();
        assertThat(StunMessage.usernameOf(wire, 0, wire.length)).isEqualTo("remote:local");
    }

    @Test
    void errorResponseAndIpv6XorAddressRoundTrip() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 50000);
        byte[] wire = StunMessageBuilder.bindingError(tid)
                .add(new StunAttribute.ErrorCode(StunAttribute.ErrorCode.ROLE_CONFLICT, "Role Conflict"))
                .add(new StunAttribute.XorMappedAddress(v6))
                .encode(key, true);

        StunMessage m = StunMessage.parse(wire, 0, wire.length);

        assertThat(m.stunClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(m.get(StunAttribute.ErrorCode.class))
                .isEqualTo(new StunAttribute.ErrorCode(487, "Role Conflict"));
        assertThat(m.mappedAddress()).isEqualTo(v6);
    }

    @Test
    void wrongPasswordFailsIntegrity() {
        StunMessage m = StunMessage.parse(SAMPLE_REQUEST, 0, SAMPLE_REQUEST.length);
        assertThat(MessageIntegrity.shortTerm("not-the-password").verify(SAMPLE_REQUEST, 0, m)).isFalse();
    }

    @Test
    void flippedBitBeforeIntegrityFailsIntegrityButNotParsingWithoutFingerprint() {
        byte[] wire = StunMessageBuilder.bindingRequest(tid)
                .add(new StunAttribute.Username("a:b")).encode(key, false);
        wire[24] ^= 0x01; // inside USERNAME

        StunMessage m = StunMessage.parse(wire, 0, wire.length);

        assertThat(m).isNotNull();
        assertThat(key.verify(wire, 0, m)).isFalse();
    }

    @Test
    void badFingerprintIsNotStun() {
        byte[] wire = SAMPLE_REQUEST.clone();
        wire[wire.length - 1] ^= 0x01;
        assertThat(StunMessage.isStun(wire, 0, wire.length)).isTrue();
        assertThat(StunMessage.parse(wire, 0, wire.length)).isNull();
    }

    @Test
    void messageWithoutIntegrityDoesNotVerify() {
        byte[] wire = StunMessageBuilder.bindingRequest(tid).encode();
        StunMessage m = StunMessage.parse(wire, 0, wire.length);
        assertThat(m.hasIntegrity()).isFalse();
        assertThat(key.verify(wire, 0, m)).isFalse();
    }

    @Test
    void truncatedMessagesAreRejectedAtEveryLength() {
        for (int len = 0; len < SAMPLE_REQUEST.length; len++) {
            assertThat(StunMessage.parse(SAMPLE_REQUEST, 0, len)).as("length %d", len).isNull();
        }
    }

    @Test
    void attributeLengthPastTheEndIsRejected() {
        byte[] wire = StunMessageBuilder.bindingRequest(tid).add(new StunAttribute.Username("abcd")).encode();
        wire[22] = 0x00;
        wire[23] = (byte) 0x40; // USERNAME claims 64 bytes
        assertThat(StunMessage.parse(wire, 0, wire.length)).isNull();
    }

    @Test
    void wrongSizedKnownAttributesAreRejected() {
        byte[] wire = StunMessageBuilder.bindingRequest(tid)
                .add(new StunAttribute.Unknown(StunAttributeType.PRIORITY, new byte[] {1, 2})).encode();
        assertThat(StunMessage.parse(wire, 0, wire.length)).isNull();
    }

    @Test
    void garbageAndOtherProtocolsAreNotStun() {
        byte[] rtp = new byte[172];
        rtp[0] = (byte) 0x80;
        byte[] dtls = new byte[60];
        dtls[0] = 22;
        byte[] noCookie = SAMPLE_REQUEST.clone();
        noCookie[4] = 0;
        Random r = new Random(1);
        for (byte[] b : new byte[][] {rtp, dtls, noCookie, new byte[0], new byte[19]}) {
            assertThat(StunMessage.isStun(b, 0, b.length)).isFalse();
            assertThat(StunMessage.parse(b, 0, b.length)).isNull();
        }
        for (int i = 0; i < 2000; i++) {
            byte[] g = new byte[r.nextInt(120)];
            r.nextBytes(g);
            if (g.length > 8) { // make some of them look like STUN headers to exercise the attribute walk
                g[0] &= 0x01;
                g[2] = 0;
                g[3] = (byte) ((g.length - 20) & ~3);
                g[4] = 0x21;
                g[5] = 0x12;
                g[6] = (byte) 0xa4;
                g[7] = 0x42;
            }
            StunMessage.parse(g, 0, g.length); // must not throw
            StunMessage.usernameOf(g, 0, g.length);
        }
    }

    @Test
    void trailingBytesAfterTheMessageAreRejected() {
        byte[] wire = java.util.Arrays.copyOf(SAMPLE_REQUEST, SAMPLE_REQUEST.length + 4);
        assertThat(StunMessage.parse(wire, 0, wire.length)).isNull();
    }

    @Test
    void attributesAfterIntegrityOtherThanFingerprintAreIgnored() {
        byte[] signed = StunMessageBuilder.bindingRequest(tid).add(new StunAttribute.Username("x:y")).encode(key, false);
        byte[] wire = java.util.Arrays.copyOf(signed, signed.length + 8);
        wire[3] += 8;
        wire[signed.length] = (byte) 0x80;
        wire[signed.length + 1] = 0x22; // SOFTWARE
        wire[signed.length + 3] = 4;

        StunMessage m = StunMessage.parse(wire, 0, wire.length);

        assertThat(m.has(StunAttribute.Software.class)).isFalse();
        assertThat(key.verify(wire, 0, m)).isTrue();
    }
}
