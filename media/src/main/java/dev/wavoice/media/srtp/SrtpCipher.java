package dev.wavoice.media.srtp;

/**
 * One SRTP transform working in place on a caller's buffer. The context has already parsed and
 * bounds-checked the packet and chosen the index; a cipher only does cryptography, so it never
 * throws on packet content. Lengths returned are the new packet length, or -1 when
 * authentication fails.
 */
sealed interface SrtpCipher permits AesCmHmacSha1Cipher, AeadAesGcmCipher {

    /** Encrypts the payload after {@code headerLen} and appends the tag. */
    int protectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq);

    /** Verifies the trailing tag, then decrypts the payload; returns the plain RTP length or -1. */
    int unprotectRtp(byte[] buf, int off, int len, int headerLen, int ssrc, long roc, int seq);

    /** Encrypts everything after the 8-byte RTCP header, adds E-flag|index and the tag. */
    int protectRtcp(byte[] buf, int off, int len, int ssrc, int index);

    /**
     * Verifies an SRTCP packet whose E-flag/index word has been read by the context and, when
     * {@code encrypted}, decrypts it; returns the plain RTCP length or -1.
     */
    int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted);

    /** Constant-time comparison, so the time to reject a forged tag leaks nothing about it. */
    static boolean tagsEqual(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) {
            diff |= a[aOff + i] ^ b[bOff + i];
        }
        return diff == 0;
    }

    static void putInt(byte[] buf, int off, int v) {
        buf[off] = (byte) (v >>> 24);
        buf[off + 1] = (byte) (v >>> 16);
        buf[off + 2] = (byte) (v >>> 8);
        buf[off + 3] = (byte) v;
    }
}
