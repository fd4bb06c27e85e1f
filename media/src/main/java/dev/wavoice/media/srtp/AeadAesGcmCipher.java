package dev.wavoice.media.srtp;

import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;

/**
 * AEAD_AES_128_GCM for SRTP and SRTCP, RFC 7714. GCM is composed here from our AES counter mode and a
 * 4 KiB-table GHASH ({@link FlatTableGhash}: Bouncy Castle's algorithm in one array), because JCA's AES/GCM needs a
 * new parameter object and re-initialisation per packet (and SunJCE copies key and IV to police reuse): allocation
 * we refuse on the packet path. Layouts: SRTP {@code header | ciphertext | tag} with the header as AAD (§8);
 * SRTCP {@code header(8) | ciphertext | tag | E|index} with header and E|index as AAD (§9, §17).
 */
final class AeadAesGcmCipher implements SrtpCipher {
    static final int TAG_LENGTH = 16;

    private final Direction rtp;
    private final Direction rtcp;
    private final byte[] counter = new byte[16];
    private final byte[] tagMask = new byte[16];
    private final byte[] ghash = new byte[16];
    private final byte[] indexWord = new byte[4];

    /** Key, salt and GHASH key for SRTP or SRTCP: RFC 7714 derives them separately. */
    private static final class Direction {
        final AesCounterMode aes;
        final byte[] salt;
        final GCMMultiplier multiplier = new FlatTableGhash();

        Direction(byte[] key, byte[] salt) {
            this.aes = new AesCounterMode(key);
            this.salt = salt.clone();
            byte[] h = new byte[16];
            aes.encryptBlock(new byte[16], 0, h, 0);
            multiplier.init(h);
        }
    }

    AeadAesGcmCipher(byte[] rtpKey, byte[] rtpSalt, byte[] rtcpKey, byte[] rtcpSalt) {
        rtp = new Direction(rtpKey, rtpSalt);
        rtcp = new Direction(rtcpKey, rtcpSalt);
    }

    AeadAesGcmCipher(SrtpKeyDerivation.SessionKeys keys) {
        this(keys.rtpKey(), keys.rtpSalt(), keys.rtcpKey(), keys.rtcpSalt());
    }

    /**
     * J0 = IV || 0x00000001 with IV = (00 00 || SSRC || ROC-or-00 || SEQ-or-index) XOR salt
     * (RFC 7714 §8.1 for SRTP, §9.1 for SRTCP where the top bit of the index word is 0).
     */
    private void j0(byte[] salt, int ssrc, int high, int low, boolean rtcpLayout) {
        counter[0] = 0;
        counter[1] = 0;
        SrtpCipher.putInt(counter, 2, ssrc);
        if (rtcpLayout) {
            counter[6] = 0;
            counter[7] = 0;
            SrtpCipher.putInt(counter, 8, low & 0x7fff_ffff);
        } else {
            SrtpCipher.putInt(counter, 6, high);
            counter[10] = (byte) (low >>> 8);
            counter[11] = (byte) low;
        }
        for (int i = 0; i < 12; i++) {
            counter[i] ^= salt[i];
        }
        counter[12] = 0;
        counter[13] = 0;
        counter[14] = 0;
        counter[15] = 1;
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq) {
        j0(rtp.salt, ssrc, (int) roc, seq, false);
        return seal(rtp, buf, off, headerLen, len - headerLen, null);
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq) {
        j0(rtp.salt, ssrc, (int) roc, seq, false);
        return open(rtp, buf, off, headerLen, len - headerLen - TAG_LENGTH, null);
    }

    @Override
    public int protectRtcp(byte[] buf, int off, int len, int ssrc, int index) {
        SrtpCipher.putInt(indexWord, 0, index | 0x8000_0000);
        j0(rtcp.salt, ssrc, 0, index, true);
        int sealed = seal(rtcp, buf, off, 8, len - 8, indexWord);
        System.arraycopy(indexWord, 0, buf, off + sealed, 4);
        return sealed + 4;
    }

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted) {
        System.arraycopy(buf, off + len - 4, indexWord, 0, 4);
        j0(rtcp.salt, ssrc, 0, index, true);
        int body = len - 4 - TAG_LENGTH;
        // With E=0 the whole RTCP packet is associated data and nothing is encrypted (§9.2).
        int aadLen = encrypted ? 8 : body;
        int plain = open(rtcp, buf, off, aadLen, body - aadLen, indexWord);
        return plain;
    }

    /** Encrypts {@code textLen} bytes after {@code aadLen} and appends the tag; counter holds J0. */
    private int seal(Direction d, byte[] buf, int off, int aadLen, int textLen, byte[] extraAad) {
        d.aes.encryptBlock(counter, 0, tagMask, 0);
        AesCounterMode.increment32(counter);
        d.aes.xor(counter, buf, off + aadLen, textLen);
        ghash(d, buf, off, aadLen, extraAad, off + aadLen, textLen);
        int tagOff = off + aadLen + textLen;
        for (int i = 0; i < TAG_LENGTH; i++) {
            buf[tagOff + i] = (byte) (ghash[i] ^ tagMask[i]);
        }
        return aadLen + textLen + TAG_LENGTH;
    }

    /** Verifies the tag before touching the ciphertext; returns the plaintext packet length or -1. */
    private int open(Direction d, byte[] buf, int off, int aadLen, int textLen, byte[] extraAad) {
        d.aes.encryptBlock(counter, 0, tagMask, 0);
        ghash(d, buf, off, aadLen, extraAad, off + aadLen, textLen);
        for (int i = 0; i < TAG_LENGTH; i++) {
            ghash[i] ^= tagMask[i];
        }
        if (!SrtpCipher.tagsEqual(ghash, 0, buf, off + aadLen + textLen, TAG_LENGTH)) {
            return -1;
        }
        AesCounterMode.increment32(counter);
        d.aes.xor(counter, buf, off + aadLen, textLen);
        return aadLen + textLen;
    }

    /** GHASH(H, A, C) of NIST SP 800-38D §6.4 into {@link #ghash}; A = aad || extraAad. */
    private void ghash(Direction d, byte[] buf, int aadOff, int aadLen, byte[] extraAad,
                       int textOff, int textLen) {
        java.util.Arrays.fill(ghash, (byte) 0);
        int totalAad = aadLen;
        if (extraAad == null) {
            absorb(d, buf, aadOff, aadLen);
        } else {
            // Only SRTCP has a split AAD: 8 header bytes then the 4-byte index word, or the
            // whole packet then the index word (E=0); stream them as one padded string.
            totalAad += extraAad.length;
            absorbJoined(d, buf, aadOff, aadLen, extraAad);
        }
        absorb(d, buf, textOff, textLen);
        long aadBits = (long) totalAad * 8;
        long textBits = (long) textLen * 8;
        for (int i = 0; i < 8; i++) {
            ghash[i] ^= (byte) (aadBits >>> (56 - 8 * i));
            ghash[8 + i] ^= (byte) (textBits >>> (56 - 8 * i));
        }
        d.multiplier.multiplyH(ghash);
    }

    private void absorb(Direction d, byte[] buf, int off, int len) {
        int end = off + len;
        while (off < end) {
            int n = Math.min(16, end - off);
            for (int i = 0; i < n; i++) {
                ghash[i] ^= buf[off + i];
            }
            d.multiplier.multiplyH(ghash);
            off += n;
        }
    }

    private void absorbJoined(Direction d, byte[] buf, int off, int len, byte[] tail) {
        int total = len + tail.length;
        int pos = 0;
        while (pos < total) {
            int n = Math.min(16, total - pos);
            for (int i = 0; i < n; i++) {
                int p = pos + i;
                ghash[i] ^= p < len ? buf[off + p] : tail[p - len];
            }
            d.multiplier.multiplyH(ghash);
            pos += n;
        }
    }
}
