package dev.wavoice.media.rtp;

import java.nio.charset.StandardCharsets;

/**
 * A reusable, zero-copy cursor over a compound RTCP packet (RFC 3550 §6.1). {@link #wrap} validates the whole
 * compound first (the §A.2 checks that matter to a receiver: version 2, every length inside the datagram, padding
 * only on the last packet, SR/RR/BYE/SDES bodies as long as their counts say), then {@link #next} steps through
 * the packets. Types we do not use (APP, RTPFB, PSFB, XR, anything new) are stepped over by their length field.
 * We do not insist that the first packet is an SR or RR: RFC 5506 reduced-size RTCP (feedback alone) is legal.
 */
public final class RtcpReader {
    public static final int SR = 200, RR = 201, SDES = 202, BYE = 203, APP = 204, RTPFB = 205, PSFB = 206, XR = 207;
    static final int SDES_CNAME = 1;

    private byte[] buf;
    private int start;
    private int end;
    private int cursor;
    private int pOff = -1;
    private int pLen;
    private int pPadding;

    /** Points the reader at a compound packet; false (and empty) if any part of it is malformed. */
    public boolean wrap(byte[] buf, int off, int len) {
        this.buf = null;
        pOff = -1;
        if (buf == null || off < 0 || len < 4 || off > buf.length - len) {
            return false;
        }
        int p = off, end = off + len;
        while (p < end) {
            if (end - p < 4) {
                return false;
            }
            int b0 = buf[p] & 0xFF;
            if ((b0 >>> 6) != 2) {
                return false;
            }
            int size = 4 * (RtpPacket.u16(buf, p + 2) + 1);
            if (size > end - p) {
                return false;
            }
            int padding = 0;
            if ((b0 & 0x20) != 0) {
                padding = buf[p + size - 1] & 0xFF;
                // §6.4.1/A.2: only the last packet of a compound may be padded, and never by zero octets.
                if (p + size != end || padding == 0 || padding > size - 4) {
                    return false;
                }
            }
            if (!bodyFits(buf, p, size - padding, buf[p + 1] & 0xFF, b0 & 0x1F)) {
                return false;
            }
            p += size;
        }
        this.buf = buf;
        this.start = off;
        this.end = end;
        this.cursor = off;
        return true;
    }

    private static boolean bodyFits(byte[] buf, int p, int size, int type, int count) {
        return switch (type) {
            case SR -> size >= 28 + count * ReportBlock.SIZE;
            case RR -> size >= 8 + count * ReportBlock.SIZE;
            case BYE -> size >= 4 + 4 * count && byeReasonFits(buf, p, size, count);
            case SDES -> sdesFits(buf, p, size, count);
            default -> true;
        };
    }

    private static boolean byeReasonFits(byte[] buf, int p, int size, int count) {
        int r = p + 4 + 4 * count;
        return r >= p + size || r + 1 + (buf[r] & 0xFF) <= p + size;
    }

    /** §6.5: each chunk is an SSRC, items (type, length, text) ending in a null item, padded to 32 bits. */
    private static boolean sdesFits(byte[] buf, int p, int size, int count) {
        int q = p + 4, end = p + size;
        for (int c = 0; c < count; c++) {
            if (q + 4 > end) {
                return false;
            }
            q += 4;
            while (true) {
                if (q >= end) {
                    return false;
                }
                if (buf[q] == 0) {
                    q = (q + 4 - ((q - p) & 3)); // the null item, then pad to the next word
                    break;
                }
                if (q + 2 > end || q + 2 + (buf[q + 1] & 0xFF) > end) {
                    return false;
                }
                q += 2 + (buf[q + 1] & 0xFF);
            }
            if (q > end) {
                return false;
            }
        }
        return true;
    }

    /** Moves to the next packet of the compound; false at the end (or when nothing is wrapped). */
    public boolean next() {
        if (buf == null || cursor >= end) {
            pOff = -1;
            return false;
        }
        pOff = cursor;
        int size = 4 * (RtpPacket.u16(buf, cursor + 2) + 1);
        pLen = size;
        pPadding = (buf[cursor] & 0x20) != 0 ? buf[cursor + size - 1] & 0xFF : 0;
        cursor += size;
        return true;
    }

    /** Back to the first packet. */
    public void rewind() {
        cursor = start;
        pOff = -1;
    }

    public int type() {
        return buf[pOff + 1] & 0xFF;
    }

    /** The 5-bit count field: reception reports (SR/RR), chunks (SDES), sources (BYE), FMT (feedback). */
    public int count() {
        return buf[pOff] & 0x1F;
    }

    public int packetOffset() {
        return pOff;
    }

    public int packetLength() {
        return pLen;
    }

    /** The SSRC after the header: the reporter (SR/RR, feedback), the first chunk (SDES) or source (BYE). */
    public long senderSsrc() {
        return pLen - pPadding >= 8 ? RtpPacket.u32(buf, pOff + 4) : -1;
    }

    /** SR only: the sender's wall clock, 64-bit NTP format (§4). */
    public long ntpTimestamp() {
        return (RtpPacket.u32(buf, pOff + 8) << 32) | RtpPacket.u32(buf, pOff + 12);
    }

    /** SR only: the RTP timestamp of the same instant as {@link #ntpTimestamp()}. */
    public long rtpTimestamp() {
        return RtpPacket.u32(buf, pOff + 16);
    }

    public long senderPacketCount() {
        return RtpPacket.u32(buf, pOff + 20);
    }

    public long senderOctetCount() {
        return RtpPacket.u32(buf, pOff + 24);
    }

    /** Report blocks in the current SR or RR (0 for other types). */
    public int reportCount() {
        int t = type();
        return t == SR || t == RR ? count() : 0;
    }

    private int block(int i) {
        return pOff + (type() == SR ? 28 : 8) + i * ReportBlock.SIZE;
    }

    public long reportSsrc(int i) {
        return RtpPacket.u32(buf, block(i));
    }

    public int reportFractionLost(int i) {
        return buf[block(i) + 4] & 0xFF;
    }

    /** Signed 24 bits, sign-extended. */
    public int reportCumulativeLost(int i) {
        int b = block(i);
        return (buf[b + 5] << 16) | ((buf[b + 6] & 0xFF) << 8) | (buf[b + 7] & 0xFF);
    }

    public long reportExtendedHighestSequence(int i) {
        return RtpPacket.u32(buf, block(i) + 8);
    }

    public long reportJitter(int i) {
        return RtpPacket.u32(buf, block(i) + 12);
    }

    public long reportLastSr(int i) {
        return RtpPacket.u32(buf, block(i) + 16);
    }

    public long reportDelaySinceLastSr(int i) {
        return RtpPacket.u32(buf, block(i) + 20);
    }

    /** Block {@code i} as a value (allocates: for the control path and tests). */
    public ReportBlock reportBlock(int i) {
        return new ReportBlock(reportSsrc(i), reportFractionLost(i), reportCumulativeLost(i),
                reportExtendedHighestSequence(i), reportJitter(i), reportLastSr(i), reportDelaySinceLastSr(i));
    }

    /** BYE only: the {@code i}-th source leaving. */
    public long byeSsrc(int i) {
        return RtpPacket.u32(buf, pOff + 4 + 4 * i);
    }

    /** BYE only: the optional reason (§6.6), or null. */
    public String byeReason() {
        int r = pOff + 4 + 4 * count();
        if (r >= pOff + pLen - pPadding) {
            return null;
        }
        return new String(buf, r + 1, buf[r] & 0xFF, StandardCharsets.UTF_8);
    }

    /** SDES only: the CNAME of the first chunk that has one (§6.5.1), or null. */
    public String cname() {
        int q = pOff + 4, end = pOff + pLen - pPadding;
        for (int c = 0; c < count() && q + 4 <= end; c++) {
            q += 4;
            while (q < end && buf[q] != 0) {
                int l = buf[q + 1] & 0xFF;
                if (buf[q] == SDES_CNAME) {
                    return new String(buf, q + 2, l, StandardCharsets.UTF_8);
                }
                q += 2 + l;
            }
            q = q + 4 - ((q - pOff) & 3);
        }
        return null;
    }
}
