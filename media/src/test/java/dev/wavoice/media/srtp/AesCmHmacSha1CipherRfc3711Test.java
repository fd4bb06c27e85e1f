package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 3711 Appendix B.2: the AES-CM keystream, through the IV construction of §4.1.1. */
class AesCmHmacSha1CipherRfc3711Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SESSION_KEY = HEX.parseHex("2b7e151628aed2a6abf7158809cf4f3c");
    private static final byte[] SESSION_SALT = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd");

    @Test
    void ivForSsrcZeroIndexZeroIsTheShiftedSalt() {
        byte[] iv = new byte[16];
        AesCmHmacSha1Cipher.iv(iv, SESSION_SALT, 0, 0);
        assertThat(iv).isEqualTo(HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000"));
    }

    @Test
    void ivMixesSsrcAndIndexAtTheirBitPositions() {
        byte[] iv = new byte[16];
        AesCmHmacSha1Cipher.iv(iv, new byte[14], 0x11223344, 0xAABBCCDDEEFFL);
        assertThat(iv).isEqualTo(HEX.parseHex("0000000011223344aabbccddeeff0000"));
    }

    @Test
    void keystreamSegmentMatchesAppendixB2() {
        byte[] iv = new byte[16];
        AesCmHmacSha1Cipher.iv(iv, SESSION_SALT, 0, 0);
        byte[] stream = new byte[1044512]; // 65282 blocks, as the RFC's segment
        new AesCounterMode(SESSION_KEY).xor(iv, stream, 0, stream.length);

        assertThat(Arrays.copyOfRange(stream, 0, 48)).isEqualTo(HEX.parseHex(
                "e03ead0935c95e80e166b16dd92b4eb4"
                        + "d23513162b02d0f72a43a2fe4a5f97ab"
                        + "41e95b3bb0a2e8dd477901e4fca894c0"));
        assertThat(Arrays.copyOfRange(stream, stream.length - 48, stream.length)).isEqualTo(HEX.parseHex(
                "ec8cdf7398607cb0f2d21675ea9ea1e4"
                        + "362b7c3c6773516318a077d7fc5073ae"
                        + "6a2cc3787889374fbeb4c81b17ba6c44"));
    }

    @Test
    void keystreamIsTheSameWhetherProducedInOneCallOrMany() {
        byte[] iv1 = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000");
        byte[] iv2 = iv1.clone();
        byte[] whole = new byte[4000];
        byte[] parts = new byte[4000];
        var aes = new AesCounterMode(SESSION_KEY);
        aes.xor(iv1, whole, 0, whole.length);
        aes.xor(iv2, parts, 0, 1600);
        aes.xor(iv2, parts, 1600, 2400);
        assertThat(parts).isEqualTo(whole);
    }
}
