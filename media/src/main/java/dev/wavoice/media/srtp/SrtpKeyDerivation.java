package dev.wavoice.media.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP key derivation function, RFC 3711 §4.3, with key_derivation_rate 0 (the only rate
 * DTLS-SRTP uses, RFC 5764 §4.1.2): each session key is the AES-CM keystream under the master key
 * with the IV {@code (label << 48 XOR master_salt) << 16}. RFC 7714 §12 reuses it with a 12-byte
 * salt, left-aligned as libsrtp and Pion do.
 */
final class SrtpKeyDerivation {
    static final int LABEL_RTP_ENCRYPTION = 0x00;
    static final int LABEL_RTP_AUTH = 0x01;
    static final int LABEL_RTP_SALT = 0x02;
    static final int LABEL_RTCP_ENCRYPTION = 0x03;
    static final int LABEL_RTCP_AUTH = 0x04;
    static final int LABEL_RTCP_SALT = 0x05;

    private SrtpKeyDerivation() {}

    /** Derives {@code length} bytes for {@code label}. Control path: allocates freely. */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) {
        if (masterSalt.length > 14) {
            throw new IllegalArgumentException("master salt longer than 112 bits");
        }
        byte[] counter = new byte[16];
        System.arraycopy(masterSalt, 0, counter, 0, masterSalt.length);
        counter[7] ^= (byte) label;
        int blocks = (length + 15) / 16;
        byte[] in = new byte[blocks * 16];
        for (int i = 0; i < blocks; i++) {
            System.arraycopy(counter, 0, in, i * 16, 14);
            in[i * 16 + 14] = (byte) (i >>> 8);
            in[i * 16 + 15] = (byte) i;
        }
        try {
            Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
            byte[] out = aes.doFinal(in);
            byte[] result = new byte[length];
            System.arraycopy(out, 0, result, 0, length);
            return result;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES unavailable in this JVM", e);
        }
    }

    /** Session keys for one direction of one profile. */
    record SessionKeys(byte[] rtpKey, byte[] rtpSalt, byte[] rtpAuth,
                       byte[] rtcpKey, byte[] rtcpSalt, byte[] rtcpAuth) {

        static SessionKeys derive(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
            int k = profile.keyLength();
            int s = profile.saltLength();
            int a = profile.authKeyLength();
            return new SessionKeys(
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTP_ENCRYPTION, k),
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTP_SALT, s),
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTP_AUTH, a),
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTCP_ENCRYPTION, k),
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTCP_SALT, s),
                    SrtpKeyDerivation.derive(masterKey, masterSalt, LABEL_RTCP_AUTH, a));
        }
    }
}
