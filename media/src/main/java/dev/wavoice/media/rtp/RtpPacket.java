package dev.wavoice.media.rtp;

/**
 * A reusable, zero-copy view of one RTP packet (RFC 3550 §5.1) over a caller's bytes. {@link #wrap} checks the
 * whole layout once (version, CSRC list, header extension, padding) so every accessor afterwards is a plain read
 * that cannot run past the packet. Nothing is copied and nothing is allocated: one view per receive thread or
 * per call, re-wrapped for each packet, the buffer staying owned by whoever passed it in.
 */
public final class RtpPacket {
    /** RFC 8285 §4.2: "profile" value of the one-byte header extension form. */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** RFC 8285 §4.3: the two-byte form; the low 4 bits ("appbits") are free for the application. */
    public static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
    public static final int TWO_BYTE_PROFILE = 0x1000;
    static final int FIXED_HEADER = 12;

    private byte[] buf;
    private int off;
    private int len;
    private int payloadOff;
    private int payloadLen;
    private int paddingLen;
    private int extOff = -1;
    private int extLen;
    private int extProfile;

    /**
     * Points this view at {@code buf[off, off+len)}. False, leaving the view empty, when the bytes are not a
     * well-formed RTP packet: version other than 2, shorter than its fixed header, CSRC list or extension past the
     * end, or a padding count of zero or past the payload (§5.1: the last octet counts the padding, itself
     * included). Never throws, whatever the bytes and bounds.
     */
    public boolean wrap(byte[] buf, int off, int len) {
        clear();
        if (buf == null || off < 0 || len < FIXED_HEADER || off > buf.length - len) {
            return false;
        }
        int b0 = buf[off] & 0xFF;
        if ((b0 >>> 6) != 2) {
            return false;
        }
        int header = FIXED_HEADER + 4 * (b0 & 0x0F);
        int eOff = -1, eLen = 0, eProfile = 0;
        if ((b0 & 0x10) != 0) {
            if (header + 4 > len) {
                return false;
            }
            eProfile = u16(buf, off + header);
            eLen = 4 * u16(buf, off + header + 2);
            eOff = header + 4;
            header = eOff + eLen;
        }
        if (header > len) {
            return false;
        }
        int padding = 0;
        if ((b0 & 0x20) != 0) {
            padding = buf[off + len - 1] & 0xFF;
            if (padding == 0 || padding > len - header) {
                return false;
            }
        }
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.payloadOff = off + header;
        this.payloadLen = len - header - padding;
        this.paddingLen = padding;
        this.extOff = eOff < 0 ? -1 : off + eOff;
        this.extLen = eLen;
        this.extProfile = eProfile;
        return true;
    }

    private void clear() {
        buf = null;
        off = len = payloadOff = payloadLen = paddingLen = extLen = extProfile = 0;
        extOff = -1;
    }

    public boolean isValid() {
        return buf != null;
    }

    public byte[] buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public boolean marker() {
        return (buf[off + 1] & 0x80) != 0;
    }

    public int payloadType() {
        return buf[off + 1] & 0x7F;
    }

    /** 16-bit sequence number, 0..65535. */
    public int sequence() {
        return u16(buf, off + 2);
    }

    /** 32-bit timestamp as an unsigned value in a long. */
    public long timestamp() {
        return u32(buf, off + 4);
    }

    public long ssrc() {
        return u32(buf, off + 8);
    }

    public int csrcCount() {
        return buf[off] & 0x0F;
    }

    public long csrc(int i) {
        return u32(buf, off + FIXED_HEADER + 4 * i);
    }

    /** Absolute offset of the payload in {@link #buffer()}. */
    public int payloadOffset() {
        return payloadOff;
    }

    /** Payload bytes, padding excluded. */
    public int payloadLength() {
        return payloadLen;
    }

    public int paddingLength() {
        return paddingLen;
    }

    /** Header length: fixed part, CSRCs and extension block. */
    public int headerLength() {
        return payloadOff - off;
    }

    public boolean hasExtension() {
        return extOff >= 0;
    }

    /** The 16-bit "defined by profile" field of the extension header, or -1 without an extension. */
    public int extensionProfile() {
        return extOff >= 0 ? extProfile : -1;
    }

    /**
     * Absolute offset of the data of RFC 8285 element {@code id} (1..14 one-byte, 1..255 two-byte), or -1 when the
     * packet has no such element or its extension block is neither form or is malformed. Length via
     * {@link #extensionElementLength}. Scans the block each time: audio packets carry one or two elements.
     */
    public int extensionElementOffset(int id) {
        long found = findElement(id);
        return found < 0 ? -1 : (int) (found >>> 16);
    }

    /** Data length of element {@code id}, or -1 when absent. */
    public int extensionElementLength(int id) {
        long found = findElement(id);
        return found < 0 ? -1 : (int) (found & 0xFFFF);
    }

    /**
     * RFC 6464 ssrc-audio-level of this packet, read through the negotiated extension id: {@code (V << 7) | level},
     * level being the audio level in -dBov (0 loudest, 127 silence) and V the sender's voice-activity flag; -1
     * when absent or malformed. Use {@link AudioLevel} to split the two.
     */
    public int audioLevel(int extensionId) {
        long found = findElement(extensionId);
        if (found < 0 || (found & 0xFFFF) < 1) {
            return -1;
        }
        return buf[(int) (found >>> 16)] & 0xFF;
    }

    /** (offset << 16 | length) of the element, or -1; packs two ints so lookups allocate nothing. */
    private long findElement(int id) {
        if (extOff < 0 || id <= 0) {
            return -1;
        }
        int end = extOff + extLen;
        if (extProfile == ONE_BYTE_PROFILE) {
            if (id > 14) {
                return -1;
            }
            int p = extOff;
            while (p < end) {
                int b = buf[p] & 0xFF;
                if (b == 0) { // §4.2: padding between elements
                    p++;
                    continue;
                }
                int elementId = b >>> 4;
                if (elementId == 15) { // §4.2: reserved, stop processing the block
                    return -1;
                }
                int l = (b & 0x0F) + 1;
                if (p + 1 + l > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (p + 1) << 16) | l;
                }
                p += 1 + l;
            }
        } else if ((extProfile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE) {
            if (id > 255) {
                return -1;
            }
            int p = extOff;
            while (p < end) {
                int elementId = buf[p] & 0xFF;
                if (elementId == 0) {
                    p++;
                    continue;
                }
                if (p + 2 > end) {
                    return -1;
                }
                int l = buf[p + 1] & 0xFF;
                if (p + 2 + l > end) {
                    return -1;
                }
                if (elementId == id) {
                    return ((long) (p + 2) << 16) | l;
                }
                p += 2 + l;
            }
        }
        return -1;
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static long u32(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, long v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    @Override
    public String toString() {
        return buf == null ? "RtpPacket(empty)" : "RtpPacket(pt=" + payloadType() + " seq=" + sequence() + " ts="
                + timestamp() + " ssrc=" + ssrc() + " m=" + marker() + " payload=" + payloadLen + ")";
    }
}
