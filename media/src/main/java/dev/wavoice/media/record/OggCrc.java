package dev.wavoice.media.record;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Ogg page checksum (RFC 3533 section 6): CRC-32 with the generator polynomial 0x04C11DB7, initial value 0,
 * bits taken most significant first and no final inversion. That is not {@link java.util.zip.CRC32} (reflected,
 * inverted), so it is computed here.
 *
 * <p>Eight bytes per step ("slicing by 8": table {@code k} holds a byte's remainder followed by {@code k} zero
 * bytes), since a page's CRC was most of a recording's cost per tick when done a byte at a time (about 8 KB of
 * page per second of call); the byte-wise loop finishes the tail.
 */
public final class OggCrc {
    private static final int POLYNOMIAL = 0x04C11DB7;
    private static final int[][] TABLES = tables();
    private static final int[] T0 = TABLES[0];
    private static final int[] T1 = TABLES[1];
    private static final int[] T2 = TABLES[2];
    private static final int[] T3 = TABLES[3];
    private static final int[] T4 = TABLES[4];
    private static final int[] T5 = TABLES[5];
    private static final int[] T6 = TABLES[6];
    private static final int[] T7 = TABLES[7];
    private static final VarHandle BIG_ENDIAN_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private OggCrc() {
    }

    /** Continues {@code crc} over {@code length} bytes of {@code bytes} from {@code offset}; start a page with 0. */
    public static int update(int crc, byte[] bytes, int offset, int length) {
        int c = crc;
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            int high = c ^ (int) BIG_ENDIAN_INT.get(bytes, i);
            int low = (int) BIG_ENDIAN_INT.get(bytes, i + 4);
            c = T7[high >>> 24] ^ T6[(high >>> 16) & 0xFF] ^ T5[(high >>> 8) & 0xFF] ^ T4[high & 0xFF]
                    ^ T3[low >>> 24] ^ T2[(low >>> 16) & 0xFF] ^ T1[(low >>> 8) & 0xFF] ^ T0[low & 0xFF];
        }
        for (; i < end; i++) {
            c = (c << 8) ^ T0[((c >>> 24) ^ bytes[i]) & 0xFF];
        }
        return c;
    }

    private static int[][] tables() {
        int[][] t = new int[8][256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ POLYNOMIAL : r << 1;
            }
            t[0][i] = r;
        }
        for (int k = 1; k < 8; k++) {
            for (int i = 0; i < 256; i++) {
                int previous = t[k - 1][i];
                t[k][i] = (previous << 8) ^ t[0][previous >>> 24];
            }
        }
        return t;
    }
}
