package dev.wavoice.media.record;

/**
 * Opus packet framing for recording without re-encoding: parsing and checking a packet against RFC 6716 section 3.4
 * (R1-R7), and converting it to the self-delimiting framing of RFC 6716 Appendix B, which every stream of a
 * multistream packet but the last one uses (RFC 7845 section 5.1.1).
 *
 * <p>Self-delimiting adds one length field, that of the last frame (for CBR code 1 and code 3 packets, the common
 * frame size), after the fields the packet already has and before the frame data; the data and any padding follow
 * unchanged. So a converted packet is the original's header bytes, that one length, then the rest of the original.
 *
 * <p>No method here allocates or throws for bad input: a malformed packet makes {@link #parse} return false.
 */
public final class OpusFraming {
    /** Largest frame (R2) and so the largest length field value. */
    public static final int MAX_FRAME_BYTES = 1275;
    /** 20 ms at 48 kHz: the only packet duration a recording tick takes. */
    public static final int SAMPLES_20MS = 960;
    /** Room a conversion needs beyond the input: the length field of at most two bytes. */
    public static final int SELF_DELIMITING_OVERHEAD = 2;
    private static final int MAX_PACKET_SAMPLES = 5760; // 120 ms

    private OpusFraming() {
    }

    /** Samples per frame at 48 kHz for a TOC byte (RFC 6716 section 3.1, Table 2). */
    public static int samplesPerFrame(int toc) {
        int config = (toc & 0xFF) >>> 3;
        if (config < 12) { // SILK-only: 10, 20, 40, 60 ms
            return switch (config & 3) {
                case 0 -> 480;
                case 1 -> 960;
                case 2 -> 1920;
                default -> 2880;
            };
        }
        if (config < 16) { // hybrid: 10, 20 ms
            return (config & 1) == 0 ? 480 : 960;
        }
        return 120 << (config & 3); // CELT-only: 2.5, 5, 10, 20 ms
    }

    /**
     * The same mode, bandwidth and stereo flag as {@code toc}, but a configuration whose frames last 20 ms, with
     * frame count code 0: the TOC of a one-frame packet standing for 20 ms.
     */
    public static int twentyMsToc(int toc) {
        int config = (toc & 0xFF) >>> 3;
        int twenty;
        if (config < 12) {
            twenty = (config & ~3) | 1;
        } else if (config < 16) {
            twenty = config | 1;
        } else {
            twenty = config | 3;
        }
        return (twenty << 3) | (toc & 0x04);
    }

    /**
     * Parses one packet of {@code length} bytes (for a self-delimited packet, the bytes available: it may end
     * earlier, at {@link OpusPacketLayout#end()}), checking R1-R7 of RFC 6716 section 3.4 as a decoder does.
     *
     * @return false for a malformed packet (then {@code out} holds nothing useful)
     */
    public static boolean parse(byte[] b, int offset, int length, boolean selfDelimited, OpusPacketLayout out) {
        if (length < 1) {
            return false; // R1
        }
        int limit = offset + length;
        int toc = b[offset] & 0xFF;
        int p = offset + 1;
        int spf = samplesPerFrame(toc);
        int count;
        boolean cbr = false;
        int padding = 0;
        int[] lengths = out.frameLengths;
        switch (toc & 3) {
            case 0 -> count = 1;
            case 1 -> {
                count = 2;
                cbr = true;
            }
            case 2 -> {
                count = 2;
                int n = readLength(b, p, limit);
                if (n < 0) {
                    return false;
                }
                p += fieldBytes(n);
                lengths[0] = n;
            }
            default -> {
                if (p >= limit) {
                    return false; // R6/R7: no frame count byte
                }
                int ch = b[p++] & 0xFF;
                count = ch & 0x3F;
                if (count == 0 || count * spf > MAX_PACKET_SAMPLES) {
                    return false; // R5
                }
                if ((ch & 0x40) != 0) {
                    int v;
                    do {
                        if (p >= limit) {
                            return false;
                        }
                        v = b[p++] & 0xFF;
                        padding += v == 255 ? 254 : v;
                    } while (v == 255);
                }
                cbr = (ch & 0x80) == 0;
                if (!cbr) {
                    for (int i = 0; i < count - 1; i++) {
                        int n = readLength(b, p, limit);
                        if (n < 0) {
                            return false;
                        }
                        p += fieldBytes(n);
                        lengths[i] = n;
                    }
                }
            }
        }
        int available = limit - p - padding; // bytes left for frame data
        if (available < 0) {
            return false; // R6/R7: padding longer than the packet
        }
        int known = 0; // bytes of the frames whose lengths were explicit
        if ((toc & 3) == 2 || ((toc & 3) == 3 && !cbr)) {
            for (int i = 0; i < count - 1; i++) {
                known += lengths[i];
            }
        }
        if (selfDelimited) {
            int n = readLength(b, p, limit);
            if (n < 0) {
                return false;
            }
            p += fieldBytes(n);
            available -= fieldBytes(n);
            if (cbr) {
                if (n * count > available) {
                    return false;
                }
                for (int i = 0; i < count; i++) {
                    lengths[i] = n;
                }
            } else {
                if (known + n > available) {
                    return false;
                }
                lengths[count - 1] = n;
            }
        } else if (cbr) {
            if (available % count != 0 || available / count > MAX_FRAME_BYTES) {
                return false; // R3, R6
            }
            for (int i = 0; i < count; i++) {
                lengths[i] = available / count;
            }
        } else {
            int last = available - known;
            if (last < 0 || last > MAX_FRAME_BYTES) {
                return false; // R4, R7
            }
            lengths[count - 1] = last;
        }
        out.toc = toc;
        out.frameCount = count;
        out.samplesPerFrame = spf;
        out.dataStart = p;
        out.paddingLength = padding;
        int at = p;
        for (int i = 0; i < count; i++) {
            out.frameOffsets[i] = at;
            at += lengths[i];
        }
        out.end = at + padding;
        return true;
    }

    /**
     * Writes the self-delimited form of a packet already parsed (not self-delimited) into {@code layout}.
     * {@code dst} needs {@code length + }{@value #SELF_DELIMITING_OVERHEAD} bytes.
     *
     * @return bytes written
     */
    public static int toSelfDelimited(byte[] src, int offset, int length, OpusPacketLayout layout,
                                      byte[] dst, int dstOffset) {
        int header = layout.dataStart - offset;
        System.arraycopy(src, offset, dst, dstOffset, header);
        int d = dstOffset + header;
        d += writeLength(layout.frameLengths[layout.frameCount - 1], dst, d);
        int rest = offset + length - layout.dataStart;
        System.arraycopy(src, layout.dataStart, dst, d, rest);
        return d + rest - dstOffset;
    }

    /**
     * Writes a 20 ms packet with no frame data, which a decoder turns into concealment (silence if it has decoded
     * nothing yet): the TOC alone, or for a self-delimited stream the TOC and a zero length.
     *
     * @return bytes written (1 or 2)
     */
    public static int writeEmpty(int toc, boolean selfDelimited, byte[] dst, int dstOffset) {
        dst[dstOffset] = (byte) twentyMsToc(toc);
        if (selfDelimited) {
            dst[dstOffset + 1] = 0;
            return 2;
        }
        return 1;
    }

    /** Encodes a frame length (0..1275) in one or two bytes (RFC 6716 section 3.2.1). */
    static int writeLength(int n, byte[] dst, int at) {
        if (n < 252) {
            dst[at] = (byte) n;
            return 1;
        }
        int first = 252 + (n & 3);
        dst[at] = (byte) first;
        dst[at + 1] = (byte) ((n - first) >>> 2);
        return 2;
    }

    /** A length field at {@code p}, or -1 if it runs past {@code limit}. */
    private static int readLength(byte[] b, int p, int limit) {
        if (p >= limit) {
            return -1;
        }
        int first = b[p] & 0xFF;
        if (first < 252) {
            return first;
        }
        if (p + 1 >= limit) {
            return -1;
        }
        return first + 4 * (b[p + 1] & 0xFF);
    }

    private static int fieldBytes(int n) {
        return n < 252 ? 1 : 2;
    }
}
