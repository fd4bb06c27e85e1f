package dev.wavoice.media.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES in counter mode built on the JDK's AES/ECB so one key schedule serves every packet and no IV
 * object is created per packet (JCA's AES/CTR needs a fresh init with a new IvParameterSpec).
 * The counter increments its low 32 bits: RFC 3711 §4.1.1 IVs have 16 zero low bits and GCM's
 * inc32 (NIST SP 800-38D) is defined that way. Not thread-safe; one per context.
 */
final class AesCounterMode {
    /** Keystream blocks produced per ECB call; 1536 bytes covers a full-MTU packet in one pass. */
    private static final int BATCH_BLOCKS = 96;

    private final Cipher ecb;
    private final byte[] counterBlocks = new byte[BATCH_BLOCKS * 16];
    private final byte[] keystream = new byte[BATCH_BLOCKS * 16];

    AesCounterMode(byte[] key) {
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unusable AES key", e);
        }
    }

    /** Encrypts one 16-byte block (GCM's H and E(K, J0)). */
    void encryptBlock(byte[] in, int inOff, byte[] out, int outOff) {
        try {
            ecb.update(in, inOff, 16, out, outOff);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * XORs {@code len} bytes at {@code off} with the keystream starting at {@code counter}; the
     * counter is advanced past the blocks used, so successive calls continue the stream.
     */
    void xor(byte[] counter, byte[] buf, int off, int len) {
        while (len > 0) {
            int chunk = Math.min(len, keystream.length);
            int blocks = (chunk + 15) >>> 4;
            for (int b = 0; b < blocks; b++) {
                System.arraycopy(counter, 0, counterBlocks, b << 4, 16);
                increment32(counter);
            }
            try {
                ecb.update(counterBlocks, 0, blocks << 4, keystream, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            for (int i = 0; i < chunk; i++) {
                buf[off + i] ^= keystream[i];
            }
            off += chunk;
            len -= chunk;
        }
    }

    static void increment32(byte[] counter) {
        for (int i = 15; i >= 12; i--) {
            if (++counter[i] != 0) {
                return;
            }
        }
    }
}
