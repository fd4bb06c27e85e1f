package dev.wavoice.media.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The sample messages of RFC 5769 (test vectors for STUN), byte for byte. */
class StunMessageRfc5769Test {

    static final String PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt";

    /** RFC 5769 §2.1. Note the USERNAME and SOFTWARE padding bytes are spaces, not zeros. */
    static final byte[] SAMPLE_REQUEST = hex("""
            00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
            00 24 00 04 6e 00 01 ff
            80 29 00 08 93 2f f9 b1 51 26 3b 36
            00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
            00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
            80 28 00 04 e5 7a 3b cf
            """);

    /** RFC 5769 §2.2. */
    static final byte[] SAMPLE_IPV4_RESPONSE = hex("""
            01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 08 00 01 a1 47 e1 12 a6 43
            00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
            80 28 00 04 c0 7d 4c 96
            """);

    /** RFC 5769 §2.3. */
    static final byte[] SAMPLE_IPV6_RESPONSE = hex("""
            01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
            00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
            80 28 00 04 c8 fb 0b 4c
            """);

    /** RFC 5769 §2.4: long-term credentials, user "マトリックス", realm "example.org", password SASLprep'd to "TheMatrIX". */
    static final byte[] SAMPLE_LONG_TERM_REQUEST = hex("""
            00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
            00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
            00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
            00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
            00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66
            """);

    static final TransactionId TID = new TransactionId(0xb7e7a701bc34d686L, 0xfa87dfae);

    @Test
    void sampleRequestDecodesAndVerifies() {
        StunMessage m = StunMessage.parse(SAMPLE_REQUEST, 0, SAMPLE_REQUEST.length);

        assertThat(m).isNotNull();
        assertThat(m.isBindingRequest()).isTrue();
        assertThat(m.transactionId()).isEqualTo(TID);
        assertThat(m.get(StunAttribute.Software.class).value()).isEqualTo("STUN test client");
        assertThat(m.get(StunAttribute.Priority.class).value()).isEqualTo(0x6e0001ffL);
        assertThat(m.get(StunAttribute.IceControlled.class).tieBreaker()).isEqualTo(0x932ff9b151263b36L);
        assertThat(m.username()).isEqualTo("evtj:h6vY");
        assertThat(m.hasFingerprint()).isTrue();
        assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(SAMPLE_REQUEST, 0, m)).isTrue();
    }

    @Test
    void sampleRequestVerifiesAtAnOffsetInALargerBuffer() {
        byte[] buf = new byte[SAMPLE_REQUEST.length + 37];
        System.arraycopy(SAMPLE_REQUEST, 0, buf, 13, SAMPLE_REQUEST.length);

        StunMessage m = StunMessage.parse(buf, 13, SAMPLE_REQUEST.length);

        assertThat(m).isNotNull();
        assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(buf, 13, m)).isTrue();
    }

    @Test
    void ipv4ResponseDecodesAndVerifies() throws Exception {
        StunMessage m = StunMessage.parse(SAMPLE_IPV4_RESPONSE, 0, SAMPLE_IPV4_RESPONSE.length);

        assertThat(m).isNotNull();
        assertThat(m.stunClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(m.method()).isEqualTo(StunMessage.METHOD_BINDING);
        assertThat(m.get(StunAttribute.Software.class).value()).isEqualTo("test vector");
        assertThat(m.mappedAddress()).isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853));
        assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(SAMPLE_IPV4_RESPONSE, 0, m)).isTrue();
    }

    @Test
    void ipv6ResponseDecodesAndVerifies() throws Exception {
        StunMessage m = StunMessage.parse(SAMPLE_IPV6_RESPONSE, 0, SAMPLE_IPV6_RESPONSE.length);

        assertThat(m).isNotNull();
        assertThat(m.mappedAddress()).isEqualTo(new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853));
        assertThat(MessageIntegrity.shortTerm(PASSWORD).verify(SAMPLE_IPV6_RESPONSE, 0, m)).isTrue();
    }

    @Test
    void longTermRequestVerifiesWithTheMd5Key() throws Exception {
        StunMessage m = StunMessage.parse(SAMPLE_LONG_TERM_REQUEST, 0, SAMPLE_LONG_TERM_REQUEST.length);
        // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password); MessageIntegrity takes any key bytes.
        byte[] key = java.security.MessageDigest.getInstance("MD5").digest(
                "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9:example.org:TheMatrIX"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(m).isNotNull();
        assertThat(m.username()).isEqualTo("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
        assertThat(m.hasFingerprint()).isFalse();
        assertThat(m.attributes()).extracting(StunAttribute::type)
                .containsExactly(StunAttributeType.USERNAME, StunAttributeType.NONCE, StunAttributeType.REALM);
        assertThat(new MessageIntegrity(key).verify(SAMPLE_LONG_TERM_REQUEST, 0, m)).isTrue();
    }

    @Test
    void encoderReproducesTheIpv4ResponseExactly() throws Exception {
        // Without MESSAGE-INTEGRITY and FINGERPRINT our bytes must equal the start of the vector, except the
        // length field (fewer attributes) and SOFTWARE's padding byte (the vector pads with a space, we with 0).
        byte[] encoded = StunMessageBuilder.bindingSuccess(TID)
                .add(new StunAttribute.Software("test vector"))
                .add(new StunAttribute.XorMappedAddress(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853)))
                .encode(null, false);
        byte[] expectedPrefix = java.util.Arrays.copyOf(SAMPLE_IPV4_RESPONSE, encoded.length);
        expectedPrefix[2] = encoded[2];
        expectedPrefix[3] = encoded[3];
        expectedPrefix[20 + 4 + 11] = 0; // padding byte
        assertThat(encoded).isEqualTo(expectedPrefix);
    }

    @Test
    void encoderReproducesTheSampleRequestIntegrityAndFingerprint() {
        // Padding of USERNAME is part of the HMAC input, so rebuild the vector's space padding by hand and
        // check that our HMAC and CRC over it equal the RFC's.
        byte[] copy = SAMPLE_REQUEST.clone();
        int miOff = copy.length - 8 - 24;
        byte[] mac = new byte[MessageIntegrity.LENGTH];
        MessageIntegrity.shortTerm(PASSWORD).compute(copy, 0, miOff, mac);
        assertThat(mac).isEqualTo(java.util.Arrays.copyOfRange(SAMPLE_REQUEST, miOff + 4, miOff + 24));
        assertThat(StunMessage.crc(copy, 0, copy.length - 8))
                .isEqualTo(StunMessage.i32(SAMPLE_REQUEST, copy.length - 4));
    }

    static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }
}
