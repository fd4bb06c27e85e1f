package dev.wavoice.media.srtp;

import org.bouncycastle.crypto.modes.gcm.GCMMultiplier;
import org.bouncycastle.crypto.modes.gcm.GCMUtil;

/**
 * GHASH multiplication by H with a 4 KiB table, the same algorithm as Bouncy Castle's
 * {@code Tables4kGCMMultiplier} (one table entry per byte value, eight shift-and-reduce steps per block), but with
 * the 256 entries in one {@code long[512]} instead of 256 two-element arrays. Same arithmetic, half the heap: each
 * {@code long[2]} carries 16 bytes of array header for 16 bytes of data, so the table cost 8 KiB, and a call holds
 * one per SRTP and SRTCP direction of each leg. One array also keeps the table in fewer cache lines.
 */
final class FlatTableGhash implements GCMMultiplier {
    private final long[] table = new long[512];

    @Override
    public void init(byte[] h) {
        // Built with Bouncy Castle's own field arithmetic: T[1] = H·x^7, T[2n] = T[n]·x^-1, T[2n+1] = T[2n] + T[1].
        long[][] t = new long[256][2];
        GCMUtil.asLongs(h, t[1]);
        GCMUtil.multiplyP7(t[1], t[1]);
        for (int n = 2; n < 256; n += 2) {
            GCMUtil.divideP(t[n >> 1], t[n]);
            GCMUtil.xor(t[n], t[1], t[n + 1]);
        }
        for (int i = 0; i < 256; i++) {
            table[2 * i] = t[i][0];
            table[2 * i + 1] = t[i][1];
        }
    }

    @Override
    public void multiplyH(byte[] x) {
        int i = (x[15] & 0xFF) << 1;
        long z0 = table[i], z1 = table[i + 1];
        for (int b = 14; b >= 0; b--) {
            i = (x[b] & 0xFF) << 1;
            long c = z1 << 56;
            z1 = table[i + 1] ^ ((z1 >>> 8) | (z0 << 56));
            z0 = table[i] ^ (z0 >>> 8) ^ c ^ (c >>> 1) ^ (c >>> 2) ^ (c >>> 7);
        }
        for (int k = 0; k < 8; k++) {
            x[k] = (byte) (z0 >>> (56 - 8 * k));
            x[8 + k] = (byte) (z1 >>> (56 - 8 * k));
        }
    }
}
