package dev.wavoice.media.srtp;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA1 (RFC 2104) over two reused {@link MessageDigest}s. {@code javax.crypto.Mac#doFinal}
 * returns a fresh array per call; SRTP authenticates every packet, so we write into caller storage.
 * Not thread-safe; one per context.
 */
final class HmacSha1 {
    static final int LENGTH = 20;
    private static final int BLOCK = 64;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerHash = new byte[LENGTH];

    HmacSha1(byte[] key) {
        try {
            inner = MessageDigest.getInstance("SHA-1");
            outer = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable in this JVM", e);
        }
        byte[] k = key.length > BLOCK ? inner.digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        inner.reset();
    }

    void start() {
        inner.reset();
        inner.update(innerPad);
    }

    void update(byte[] buf, int off, int len) {
        inner.update(buf, off, len);
    }

    /** Writes the full 20-byte MAC to {@code out[outOff..]}. */
    void finish(byte[] out, int outOff) {
        try {
            inner.digest(innerHash, 0, LENGTH);
            outer.update(outerPad);
            outer.update(innerHash);
            outer.digest(out, outOff, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }
}
