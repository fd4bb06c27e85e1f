package dev.wavoice.media.record;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** A plain reader of Ogg pages and their packets for the tests, written from RFC 3533 section 6 alone. */
record OggPages(List<Page> pages) {

    record Page(int offset, int flags, long granule, int serial, int sequence, int crc, int[] lacing, byte[] body,
                int length) {
    }

    static OggPages parse(byte[] file) {
        List<Page> pages = new ArrayList<>();
        int at = 0;
        while (at < file.length) {
            if (file[at] != 'O' || file[at + 1] != 'g' || file[at + 2] != 'g' || file[at + 3] != 'S') {
                throw new AssertionError("no capture pattern at " + at);
            }
            int segments = file[at + 26] & 0xFF;
            int[] lacing = new int[segments];
            int bodyLength = 0;
            for (int i = 0; i < segments; i++) {
                lacing[i] = file[at + 27 + i] & 0xFF;
                bodyLength += lacing[i];
            }
            int header = 27 + segments;
            byte[] body = new byte[bodyLength];
            System.arraycopy(file, at + header, body, 0, bodyLength);
            pages.add(new Page(at, file[at + 5] & 0xFF, le64(file, at + 6), le32(file, at + 14), le32(file, at + 18),
                    le32(file, at + 22), lacing, body, header + bodyLength));
            at += header + bodyLength;
        }
        return new OggPages(pages);
    }

    /** Every packet of the stream, reassembled from the lacing values across pages. */
    List<byte[]> packets() {
        List<byte[]> packets = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        for (Page p : pages) {
            int pos = 0;
            for (int l : p.lacing()) {
                current.write(p.body(), pos, l);
                pos += l;
                if (l < 255) {
                    packets.add(current.toByteArray());
                    current.reset();
                }
            }
        }
        return packets;
    }

    static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    static long le64(byte[] b, int at) {
        return (le32(b, at) & 0xFFFF_FFFFL) | ((long) le32(b, at + 4)) << 32;
    }
}
