package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * RFC 7714 §16.1.1 (SRTP) and §17.1 (SRTCP) AEAD_AES_128_GCM vectors, run through
 * {@link SrtpContext} so the packet layouts are checked too. The RFC starts from session keys.
 */
class AeadAesGcmCipherRfc7714Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] SALT = HEX.parseHex("517569642070726f2071756f");

    private static final byte[] RTP = HEX.parseHex("8040f17b8041f8d35501a0b247616c6c"
            + "696120657374206f6d6e697320646976" + "69736120696e20706172746573207472" + "6573");
    private static final byte[] SRTP = HEX.parseHex("8040f17b8041f8d35501a0b2f24de3a3"
            + "fb34de6cacba861c9d7e4bcabe633bd5" + "0d294e6f42a5f47a51c7d19b36de3adf"
            + "8833899d7f27beb16a9152cf765ee439" + "0cce");
    private static final byte[] RTCP = HEX.parseHex("81c8000d4d6172734e5450314e545032"
            + "525450200000042a0000e9304c756e61" + "deadbeefdeadbeefdeadbeefdeadbeef" + "deadbeef");
    private static final byte[] SRTCP = HEX.parseHex("81c8000d4d61727363e94885dcdab67c"
            + "a727d7662f6b7e997ff5c0f76c06f32d" + "c676a5f1730d6fda4ce09b4686303ded"
            + "0bb9275bc84aa45896cf4d2fc5abf872" + "45d9eade800005d4");
    /** §17.1 with E=0: authenticated only, the RTCP travels in the clear. */
    private static final byte[] SRTCP_AUTH_ONLY = HEX.parseHex("81c8000d4d6172734e5450314e545032"
            + "525450200000042a0000e9304c756e61" + "deadbeefdeadbeefdeadbeefdeadbeef"
            + "deadbeef841dd9683dd78ec92ae58790" + "125f62b3000005d4");

    private static SrtpContext context() {
        return SrtpContext.withCipher(SrtpProfile.AEAD_AES_128_GCM,
                new AeadAesGcmCipher(KEY, SALT, KEY, SALT), SrtpOptions.defaults());
    }

    @Test
    void protectsRtpToTheRfcCiphertext() {
        byte[] buf = Arrays.copyOf(RTP, RTP.length + 16);
        int len = context().protectRtp(buf, 0, RTP.length);
        assertThat(Arrays.copyOf(buf, len)).isEqualTo(SRTP);
    }

    @Test
    void unprotectsTheRfcRtpCiphertext() {
        byte[] buf = SRTP.clone();
        int len = context().unprotectRtp(buf, 0, buf.length);
        assertThat(Arrays.copyOf(buf, len)).isEqualTo(RTP);
    }

    @Test
    void protectsRtcpToTheRfcCiphertext() {
        SrtpContext ctx = context();
        ctx.resumeStream(0x4d617273, 0, 0, 0x5d4);
        byte[] buf = Arrays.copyOf(RTCP, RTCP.length + 20);
        int len = ctx.protectRtcp(buf, 0, RTCP.length);
        assertThat(Arrays.copyOf(buf, len)).isEqualTo(SRTCP);
    }

    @Test
    void unprotectsTheRfcRtcpCiphertext() {
        byte[] buf = SRTCP.clone();
        int len = context().unprotectRtcp(buf, 0, buf.length);
        assertThat(Arrays.copyOf(buf, len)).isEqualTo(RTCP);
    }

    @Test
    void verifiesAuthenticationOnlySrtcp() {
        byte[] buf = SRTCP_AUTH_ONLY.clone();
        int len = context().unprotectRtcp(buf, 0, buf.length);
        assertThat(Arrays.copyOf(buf, len)).isEqualTo(RTCP);
    }

    @Test
    void rejectsTheRfcCiphertextWithOneBitFlipped() {
        byte[] buf = SRTP.clone();
        buf[20] ^= 1;
        SrtpContext ctx = context();
        assertThat(ctx.unprotectRtp(buf, 0, buf.length)).isEqualTo(-1);
        assertThat(ctx.stats().dropped(SrtpDropReason.AUTH_FAILED)).isEqualTo(1);
    }
}
