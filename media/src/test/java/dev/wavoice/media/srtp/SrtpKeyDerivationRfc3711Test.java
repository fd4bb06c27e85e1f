package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 3711 Appendix B.3: the key derivation test vectors. */
class SrtpKeyDerivationRfc3711Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MASTER_KEY = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
    private static final byte[] MASTER_SALT = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");

    @Test
    void cipherKeyIsLabelZero() {
        assertThat(SrtpKeyDerivation.derive(MASTER_KEY, MASTER_SALT, SrtpKeyDerivation.LABEL_RTP_ENCRYPTION, 16))
                .isEqualTo(HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087"));
    }

    @Test
    void cipherSaltIsLabelTwo() {
        assertThat(SrtpKeyDerivation.derive(MASTER_KEY, MASTER_SALT, SrtpKeyDerivation.LABEL_RTP_SALT, 14))
                .isEqualTo(HEX.parseHex("30cbbc08863d8c85d49db34a9ae1"));
    }

    @Test
    void authKeyIsLabelOne() {
        assertThat(SrtpKeyDerivation.derive(MASTER_KEY, MASTER_SALT, SrtpKeyDerivation.LABEL_RTP_AUTH, 20))
                .isEqualTo(HEX.parseHex("cebe321f6ff7716b6fd4ab49af256a156d38baa4"));
    }

    @Test
    void sessionKeysUseDistinctRtcpLabels() {
        var keys = SrtpKeyDerivation.SessionKeys.derive(SrtpProfile.AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT);
        assertThat(keys.rtpKey()).isEqualTo(HEX.parseHex("c61e7a93744f39ee10734afe3ff7a087"));
        assertThat(keys.rtcpKey()).isNotEqualTo(keys.rtpKey()).hasSize(16);
        assertThat(keys.rtcpSalt()).hasSize(14);
        assertThat(keys.rtcpAuth()).hasSize(20);
    }
}
