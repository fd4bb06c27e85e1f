package dev.wavoice.media.rtp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds RTCP packets (RFC 3550 §6.4-6.6) into a caller's buffer, one packet per call, so a compound packet is
 * written by appending: SR or RR first, then SDES with the CNAME (§6.1 requires both in every compound), then BYE
 * when leaving. Every method returns the bytes written, or -1 when they do not fit (nothing useful is written).
 * Reports go out every few seconds, so report blocks travel as records here.
 */
public final class RtcpWriter {
    /** 31 is all the 5-bit count can say; an audio call has one or two sources. */
    public static final int MAX_BLOCKS = 31;

    private RtcpWriter() {}

    /** SR (§6.4.1): sender info mapping our wall clock ({@code ntp}) to the RTP timeline, then report blocks. */
    public static int senderReport(byte[] buf, int off, long ssrc, long ntp, long rtpTimestamp, long packetCount,
            long octetCount, List<ReportBlock> blocks) {
        int n = 28 + ReportBlock.SIZE * blocks.size();
        if (blocks.size() > MAX_BLOCKS || !fits(buf, off, n)) {
            return -1;
        }
        header(buf, off, blocks.size(), RtcpReader.SR, n);
        RtpPacket.put32(buf, off + 4, ssrc);
        RtpPacket.put32(buf, off + 8, ntp >>> 32);
        RtpPacket.put32(buf, off + 12, ntp);
        RtpPacket.put32(buf, off + 16, rtpTimestamp);
        RtpPacket.put32(buf, off + 20, packetCount);
        RtpPacket.put32(buf, off + 24, octetCount);
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).writeTo(buf, off + 28 + i * ReportBlock.SIZE);
        }
        return n;
    }

    /** RR (§6.4.2): for when we have sent nothing since the last report interval. */
    public static int receiverReport(byte[] buf, int off, long ssrc, List<ReportBlock> blocks) {
        int n = 8 + ReportBlock.SIZE * blocks.size();
        if (blocks.size() > MAX_BLOCKS || !fits(buf, off, n)) {
            return -1;
        }
        header(buf, off, blocks.size(), RtcpReader.RR, n);
        RtpPacket.put32(buf, off + 4, ssrc);
        for (int i = 0; i < blocks.size(); i++) {
            blocks.get(i).writeTo(buf, off + 8 + i * ReportBlock.SIZE);
        }
        return n;
    }

    /** SDES (§6.5) with one chunk: our SSRC and its CNAME (at most 255 bytes of UTF-8). */
    public static int sdesCname(byte[] buf, int off, long ssrc, String cname) {
        byte[] text = cname.getBytes(StandardCharsets.UTF_8);
        if (text.length > 255) {
            return -1;
        }
        // header + SSRC + type + length + text + at least one null octet, padded to 32 bits
        int n = (4 + 4 + 2 + text.length + 1 + 3) & ~3;
        if (!fits(buf, off, n)) {
            return -1;
        }
        header(buf, off, 1, RtcpReader.SDES, n);
        RtpPacket.put32(buf, off + 4, ssrc);
        buf[off + 8] = RtcpReader.SDES_CNAME;
        buf[off + 9] = (byte) text.length;
        System.arraycopy(text, 0, buf, off + 10, text.length);
        for (int i = off + 10 + text.length; i < off + n; i++) {
            buf[i] = 0;
        }
        return n;
    }

    /** BYE (§6.6) for our SSRC, with an optional reason (null for none; at most 255 bytes of UTF-8). */
    public static int bye(byte[] buf, int off, long ssrc, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        if (text.length > 255) {
            return -1;
        }
        int n = reason == null ? 8 : (8 + 1 + text.length + 3) & ~3;
        if (!fits(buf, off, n)) {
            return -1;
        }
        header(buf, off, 1, RtcpReader.BYE, n);
        RtpPacket.put32(buf, off + 4, ssrc);
        if (reason != null) {
            buf[off + 8] = (byte) text.length;
            System.arraycopy(text, 0, buf, off + 9, text.length);
            for (int i = off + 9 + text.length; i < off + n; i++) {
                buf[i] = 0;
            }
        }
        return n;
    }

    private static void header(byte[] buf, int off, int count, int type, int bytes) {
        buf[off] = (byte) (0x80 | count);
        buf[off + 1] = (byte) type;
        RtpPacket.put16(buf, off + 2, bytes / 4 - 1); // §6.4.1: length in 32-bit words minus one
    }

    private static boolean fits(byte[] buf, int off, int n) {
        return buf != null && off >= 0 && off <= buf.length - n;
    }
}
