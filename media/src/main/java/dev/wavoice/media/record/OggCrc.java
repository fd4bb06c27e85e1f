package dev.wavoice.media.record;

/**
 * The Ogg page checksum (RFC 3533 section 6): CRC-32 with the generator polynomial 0x04C11DB7, initial value 0,
 * bits taken most significant first and no final inversion. That is not {@link java.util.zip.CRC32} (reflected,
 * inverted), so it is computed here with a 256-entry table.
 */
public final class OggCrc {
    private static final int POLYNOMIAL = 0x04C11DB7;
    private static final int[] TABLE = table();

    private OggCrc() {
    }

    /** Continues {@code crc} over {@code length} bytes of {@code bytes} from {@code offset}; start a page with 0. */
    public static int update(int crc, byte[] bytes, int offset, int length) {
        int c = crc;
        for (int i = offset, end = offset + length; i < end; i++) {
            c = (c << 8) ^ TABLE[((c >>> 24) ^ bytes[i]) & 0xFF];
        }
        return c;
    }

    private static int[] table() {
        int[] t = new int[256];
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int bit = 0; bit < 8; bit++) {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ POLYNOMIAL : r << 1;
            }
            t[i] = r;
        }
        return t;
    }
}
