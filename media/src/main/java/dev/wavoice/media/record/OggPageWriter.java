package dev.wavoice.media.record;

/**
 * Builds the pages of one Ogg logical stream (RFC 3533): packets are appended whole to the current page with their
 * lacing values (a packet of n bytes takes n / 255 values of 255 and one of n % 255), and {@link #finish} writes the
 * header, the segment table and the CRC in place. A packet never spans pages here: Opus audio packets are small, and
 * the caller starts a new page when {@link #fits} says no.
 *
 * <p>Not thread-safe: one owner (the recorder, under its tick lock).
 */
final class OggPageWriter {
    private final int serial;
    private final byte[] lacing = new byte[OggPage.MAX_SEGMENTS];
    private int sequence;
    private OggPage page;
    private int segments;
    private int bodyLength;
    private int packets;

    OggPageWriter(int serial) {
        this.serial = serial;
    }

    /** Starts filling {@code empty}. */
    void begin(OggPage empty) {
        page = empty;
        segments = 0;
        bodyLength = 0;
        packets = 0;
    }

    /** Whether a packet of {@code length} bytes still fits the current page. */
    boolean fits(int length) {
        return segments + length / 255 + 1 <= OggPage.MAX_SEGMENTS && bodyLength + length <= page.bodyCapacity();
    }

    /** Packets appended since {@link #begin}. */
    int packets() {
        return packets;
    }

    /** Appends one whole packet; the caller has checked {@link #fits}. */
    void add(byte[] packet, int offset, int length) {
        if (!fits(length)) {
            throw new IllegalStateException("packet of " + length + " bytes does not fit the page");
        }
        System.arraycopy(packet, offset, page.bytes, OggPage.BODY_OFFSET + bodyLength, length);
        bodyLength += length;
        for (int left = length; ; left -= 255) {
            if (left < 255) {
                lacing[segments++] = (byte) left; // a final value below 255 ends the packet (0 for an exact multiple)
                break;
            }
            lacing[segments++] = (byte) 255;
        }
        packets++;
    }

    /**
     * Completes the current page and returns it; {@link #begin} must be called before the next {@link #add}.
     *
     * @param granule the granule position after the last packet completed on this page (48 kHz samples for Opus)
     * @param flags   {@link OggPage#FLAG_FIRST} on the stream's first page, {@link OggPage#FLAG_LAST} on its last
     */
    OggPage finish(long granule, int flags) {
        OggPage p = page;
        byte[] b = p.bytes;
        int start = OggPage.MAX_SEGMENTS - segments;
        b[start] = 'O';
        b[start + 1] = 'g';
        b[start + 2] = 'g';
        b[start + 3] = 'S';
        b[start + 4] = 0; // stream structure version
        b[start + 5] = (byte) flags;
        putLong(b, start + 6, granule);
        putInt(b, start + 14, serial);
        putInt(b, start + 18, sequence++);
        putInt(b, start + 22, 0); // the CRC is computed with its own field zeroed
        b[start + 26] = (byte) segments;
        System.arraycopy(lacing, 0, b, start + OggPage.HEADER_BYTES, segments);
        int length = OggPage.HEADER_BYTES + segments + bodyLength;
        putInt(b, start + 22, OggCrc.update(0, b, start, length));
        p.start = start;
        p.length = length;
        page = null;
        return p;
    }

    /** Pages finished so far. */
    int pageCount() {
        return sequence;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) v);
        putInt(b, at + 4, (int) (v >>> 32));
    }
}
