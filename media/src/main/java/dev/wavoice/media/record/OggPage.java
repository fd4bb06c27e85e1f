package dev.wavoice.media.record;

import java.nio.ByteBuffer;

/**
 * One reusable buffer holding one finished Ogg page, handed from the pacer thread to the writer and back. The body
 * is filled at a fixed offset behind room for the largest header, so finishing a page writes the header and the
 * segment table just in front of it and the page ends up contiguous without a copy.
 *
 * <p>Owned by one thread at a time: the {@link OggPageWriter} while it is filled, the writer thread once queued.
 */
final class OggPage {
    /** Capture pattern, version, flags, granule, serial, sequence, CRC, segment count (RFC 3533 section 6). */
    static final int HEADER_BYTES = 27;
    static final int MAX_SEGMENTS = 255;
    static final int BODY_OFFSET = HEADER_BYTES + MAX_SEGMENTS;

    static final int FLAG_CONTINUED = 0x01;
    static final int FLAG_FIRST = 0x02;
    static final int FLAG_LAST = 0x04;

    final byte[] bytes;
    /** A view of {@link #bytes} made once, so a write costs no wrapper object. */
    final ByteBuffer view;
    /** Where the finished page starts in {@link #bytes} (255 minus its segment count) and how long it is. */
    int start;
    int length;

    OggPage(int bodyCapacity) {
        this.bytes = new byte[BODY_OFFSET + bodyCapacity];
        this.view = ByteBuffer.wrap(bytes);
    }

    int bodyCapacity() {
        return bytes.length - BODY_OFFSET;
    }

    /** The finished page, positioned for one write. */
    ByteBuffer forWrite() {
        view.limit(start + length).position(start);
        return view;
    }
}
