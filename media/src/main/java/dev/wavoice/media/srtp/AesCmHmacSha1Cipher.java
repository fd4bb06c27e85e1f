package dev.wavoice.media.srtp;

/**
 * AES_CM_128_HMAC_SHA1_80, RFC 3711 §4.1.1 (AES counter mode) and §4.2.1 (HMAC-SHA1, 80-bit tag).
 * SRTP authenticates header + encrypted payload + ROC (§4.2); SRTCP authenticates the whole packet
 * including the E-flag/index word, which sits before the tag (§3.4).
 */
final class AesCmHmacSha1Cipher implements SrtpCipher {
    static final int TAG_LENGTH = 10;

    private final AesCounterMode rtpAes;
    private final AesCounterMode rtcpAes;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    private final HmacSha1 rtpMac;
    private final HmacSha1 rtcpMac;
    private final byte[] iv = new byte[16];
    private final byte[] mac = new byte[HmacSha1.LENGTH];
    private final byte[] rocBytes = new byte[4];

    AesCmHmacSha1Cipher(SrtpKeyDerivation.SessionKeys keys) {
        rtpAes = new AesCounterMode(keys.rtpKey());
        rtcpAes = new AesCounterMode(keys.rtcpKey());
        rtpSalt = keys.rtpSalt().clone();
        rtcpSalt = keys.rtcpSalt().clone();
        rtpMac = new HmacSha1(keys.rtpAuth());
        rtcpMac = new HmacSha1(keys.rtcpAuth());
    }

    /** IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), RFC 3711 §4.1.1; i is 48 bits. */
    static void iv(byte[] iv, byte[] salt, int ssrc, long index) {
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte) (ssrc >>> 24);
        iv[5] ^= (byte) (ssrc >>> 16);
        iv[6] ^= (byte) (ssrc >>> 8);
        iv[7] ^= (byte) ssrc;
        for (int i = 0; i < 6; i++) {
            iv[13 - i] ^= (byte) (index >>> (8 * i));
        }
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq) {
        iv(iv, rtpSalt, ssrc, (roc << 16) | seq);
        rtpAes.xor(iv, buf, off + headerLen, len - headerLen);
        rtpTag(buf, off, len, roc);
        System.arraycopy(mac, 0, buf, off + len, TAG_LENGTH);
        return len + TAG_LENGTH;
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq) {
        int body = len - TAG_LENGTH;
        rtpTag(buf, off, body, roc);
        if (!SrtpCipher.tagsEqual(mac, 0, buf, off + body, TAG_LENGTH)) {
            return -1;
        }
        iv(iv, rtpSalt, ssrc, (roc << 16) | seq);
        rtpAes.xor(iv, buf, off + headerLen, body - headerLen);
        return body;
    }

    private void rtpTag(byte[] buf, int off, int len, long roc) {
        SrtpCipher.putInt(rocBytes, 0, (int) roc);
        rtpMac.start();
        rtpMac.update(buf, off, len);
        rtpMac.update(rocBytes, 0, 4);
        rtpMac.finish(mac, 0);
    }

    @Override
    public int protectRtcp(byte[] buf, int off, int len, int ssrc, int index) {
        iv(iv, rtcpSalt, ssrc, index);
        rtcpAes.xor(iv, buf, off + 8, len - 8);
        SrtpCipher.putInt(buf, off + len, index | 0x8000_0000);
        rtcpMac.start();
        rtcpMac.update(buf, off, len + 4);
        rtcpMac.finish(mac, 0);
        System.arraycopy(mac, 0, buf, off + len + 4, TAG_LENGTH);
        return len + 4 + TAG_LENGTH;
    }

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted) {
        int authenticated = len - TAG_LENGTH;
        rtcpMac.start();
        rtcpMac.update(buf, off, authenticated);
        rtcpMac.finish(mac, 0);
        if (!SrtpCipher.tagsEqual(mac, 0, buf, off + authenticated, TAG_LENGTH)) {
            return -1;
        }
        int plain = authenticated - 4;
        if (encrypted) {
            iv(iv, rtcpSalt, ssrc, index);
            rtcpAes.xor(iv, buf, off + 8, plain - 8);
        }
        return plain;
    }
}
