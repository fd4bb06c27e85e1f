package dev.wavoice.media.rtp;

/**
 * Writes RTP headers (RFC 3550 §5.1) into a caller's buffer: no CSRCs (we are an end point, not a mixer), and
 * optionally one RFC 6464 audio-level element: in the RFC 8285 one-byte form for ids 1..14 (what libwebrtc and
 * WhatsApp negotiate), in the two-byte form for ids 15..255 (§4.3, only reachable with extmap-allow-mixed). Both
 * take one 32-bit word of elements, so the header is 20 bytes either way. Static and allocation-free; the caller
 * owns sequence and timestamp state ({@link OutboundRtp} does it for a call).
 */
public final class RtpHeaderWriter {
    /** Fixed header only. */
    public static final int BASIC_HEADER = RtpPacket.FIXED_HEADER;
    /** Fixed header + 4 bytes extension header + one word: element header, level, padding. */
    public static final int HEADER_WITH_AUDIO_LEVEL = RtpPacket.FIXED_HEADER + 8;

    private RtpHeaderWriter() {}

    /**
     * Writes a 12-byte header at {@code buf[off]}.
     *
     * @return the header length (12), or -1 when the buffer is too small or a field is out of range
     */
    public static int write(byte[] buf, int off, boolean marker, int payloadType, int sequence, long timestamp,
            long ssrc) {
        if (!fits(buf, off, BASIC_HEADER) || (payloadType & ~0x7F) != 0) {
            return -1;
        }
        writeFixed(buf, off, false, marker, payloadType, sequence, timestamp, ssrc);
        return BASIC_HEADER;
    }

    /**
     * Writes a header carrying the ssrc-audio-level element under the negotiated {@code extensionId} (1..255).
     *
     * @param packedLevel {@link AudioLevel#pack} output
     * @return the header length (20), or -1 when the buffer is too small or a field is out of range
     */
    public static int writeWithAudioLevel(byte[] buf, int off, boolean marker, int payloadType, int sequence,
            long timestamp, long ssrc, int extensionId, int packedLevel) {
        if (!fits(buf, off, HEADER_WITH_AUDIO_LEVEL) || (payloadType & ~0x7F) != 0 || extensionId < 1
                || extensionId > 255) {
            return -1;
        }
        writeFixed(buf, off, true, marker, payloadType, sequence, timestamp, ssrc);
        int p = off + RtpPacket.FIXED_HEADER;
        RtpPacket.put16(buf, p + 2, 1); // one 32-bit word of elements
        if (extensionId <= 14) {
            RtpPacket.put16(buf, p, RtpPacket.ONE_BYTE_PROFILE);
            buf[p + 4] = (byte) (extensionId << 4); // §4.2: the length field is (bytes - 1) = 0
            buf[p + 5] = (byte) packedLevel;
            buf[p + 6] = 0; // padding to the word boundary
        } else {
            RtpPacket.put16(buf, p, RtpPacket.TWO_BYTE_PROFILE);
            buf[p + 4] = (byte) extensionId;
            buf[p + 5] = 1; // §4.3: the length field is the byte count
            buf[p + 6] = (byte) packedLevel;
        }
        buf[p + 7] = 0;
        return HEADER_WITH_AUDIO_LEVEL;
    }

    private static void writeFixed(byte[] buf, int off, boolean extension, boolean marker, int payloadType,
            int sequence, long timestamp, long ssrc) {
        buf[off] = (byte) (0x80 | (extension ? 0x10 : 0));
        buf[off + 1] = (byte) ((marker ? 0x80 : 0) | payloadType);
        RtpPacket.put16(buf, off + 2, sequence);
        RtpPacket.put32(buf, off + 4, timestamp);
        RtpPacket.put32(buf, off + 8, ssrc);
    }

    private static boolean fits(byte[] buf, int off, int n) {
        return buf != null && off >= 0 && off <= buf.length - n;
    }
}
