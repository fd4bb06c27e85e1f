package dev.wavoice.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our SRTP/SRTCP against an independent implementation (jitsi-srtp, evaluation dependency only),
 * both directions, across a sequence-number wrap: RFC 3711 has no whole-packet AES-CM vectors,
 * so this pins the packet layout, the ROC in the HMAC and the SRTCP trailer.
 */
class JitsiSrtpInteropTest {
    private static final int SSRC = 0x1234_5678;
    private static final LoggerImpl LOG = new LoggerImpl(JitsiSrtpInteropTest.class.getName());

    @BeforeAll
    static void skipJitsiCipherBenchmark() {
        // Otherwise jitsi-srtp times every AES provider at first use (seconds of test time).
        org.jitsi.srtp.crypto.Aes.setFactoryClassName("SunJCE");
    }

    private static SrtpPolicy policy(SrtpProfile profile) {
        return profile == SrtpProfile.AEAD_AES_128_GCM
                ? new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, 16, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12)
                : new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
    }

    private static byte[] key(SrtpProfile p) {
        byte[] k = new byte[p.keyLength()];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (31 * i + 5);
        }
        return k;
    }

    private static byte[] salt(SrtpProfile p) {
        byte[] s = new byte[p.saltLength()];
        for (int i = 0; i < s.length; i++) {
            s[i] = (byte) (17 * i + 3);
        }
        return s;
    }

    private static JitsiSrtpProbe.Buf rtp(int seq) {
        var b = new JitsiSrtpProbe.Buf(1500);
        byte[] p = SrtpContextTest.rtp(seq, 100, 200);
        p[8] = 0x12;
        p[9] = 0x34;
        p[10] = 0x56;
        p[11] = 0x78;
        System.arraycopy(p, 0, b.b, 0, 120);
        b.len = 120;
        return b;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpBothWaysAcrossTheRollover(SrtpProfile profile) throws Exception {
        SrtpContext ours = SrtpContext.create(profile, key(profile), salt(profile), SrtpOptions.defaults());
        SrtpContext oursIn = SrtpContext.create(profile, key(profile), salt(profile), SrtpOptions.defaults());
        SrtpCryptoContext theirsIn = new SrtpContextFactory(false, key(profile), salt(profile),
                policy(profile), policy(profile), LOG).deriveContext(SSRC, 0);
        SrtpCryptoContext theirsOut = new SrtpContextFactory(true, key(profile), salt(profile),
                policy(profile), policy(profile), LOG).deriveContext(SSRC, 0);

        for (int i = 0; i < 12; i++) {
            int seq = (65530 + i) & 0xFFFF;
            var plain = rtp(seq);
            var a = rtp(seq);
            a.len = ours.protectRtp(a.b, 0, a.len);
            assertThat(theirsIn.reverseTransformPacket(a, false)).as("jitsi unprotects seq %d", seq)
                    .isEqualTo(SrtpErrorStatus.OK);
            assertThat(Arrays.copyOf(a.b, a.len)).isEqualTo(Arrays.copyOf(plain.b, plain.len));

            var b = rtp(seq);
            assertThat(theirsOut.transformPacket(b)).isEqualTo(SrtpErrorStatus.OK);
            int len = oursIn.unprotectRtp(b.b, 0, b.len);
            assertThat(len).as("we unprotect seq %d", seq).isEqualTo(120);
            assertThat(Arrays.copyOf(b.b, len)).isEqualTo(Arrays.copyOf(plain.b, plain.len));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpBothWays(SrtpProfile profile) throws Exception {
        SrtpContext ours = SrtpContext.create(profile, key(profile), salt(profile), SrtpOptions.defaults());
        SrtpContext oursIn = SrtpContext.create(profile, key(profile), salt(profile), SrtpOptions.defaults());
        SrtcpCryptoContext theirsIn = new SrtpContextFactory(false, key(profile), salt(profile),
                policy(profile), policy(profile), LOG).deriveControlContext(SSRC);
        SrtcpCryptoContext theirsOut = new SrtpContextFactory(true, key(profile), salt(profile),
                policy(profile), policy(profile), LOG).deriveControlContext(SSRC);

        for (int i = 0; i < 3; i++) {
            byte[] plain = rtcpPacket();
            var a = new JitsiSrtpProbe.Buf(200);
            System.arraycopy(plain, 0, a.b, 0, 32);
            a.len = ours.protectRtcp(a.b, 0, 32);
            assertThat(theirsIn.reverseTransformPacket(a)).isEqualTo(SrtpErrorStatus.OK);
            assertThat(Arrays.copyOf(a.b, a.len)).isEqualTo(plain);

            var b = new JitsiSrtpProbe.Buf(200);
            System.arraycopy(plain, 0, b.b, 0, 32);
            b.len = 32;
            assertThat(theirsOut.transformPacket(b)).isEqualTo(SrtpErrorStatus.OK);
            int len = oursIn.unprotectRtcp(b.b, 0, b.len);
            assertThat(Arrays.copyOf(b.b, Math.max(len, 0))).isEqualTo(plain);
        }
    }

    private static byte[] rtcpPacket() {
        byte[] p = SrtpContextTest.rtcp(32);
        p[4] = 0x12;
        p[5] = 0x34;
        p[6] = 0x56;
        p[7] = 0x78;
        return p;
    }
}
