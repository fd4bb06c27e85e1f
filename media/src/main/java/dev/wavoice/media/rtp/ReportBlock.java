package dev.wavoice.media.rtp;

/**
 * One RTCP reception report block (RFC 3550 §6.4.1), 24 bytes on the wire.
 *
 * @param ssrc                    the source this block reports on
 * @param fractionLost            lost since the previous report, as a fraction of 256 (0..255)
 * @param cumulativeLost          packets lost since the start, signed 24 bits (duplicates can make it negative)
 * @param extendedHighestSequence cycles × 65536 + highest sequence number received, unsigned 32 bits
 * @param jitter                  interarrival jitter in timestamp units (§6.4.1, A.8), unsigned 32 bits
 * @param lastSr                  middle 32 bits of the NTP timestamp of the last SR received from the source, 0 if none
 * @param delaySinceLastSr        since that SR arrived, in 1/65536 s; 0 if none
 */
public record ReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSequence,
                          long jitter, long lastSr, long delaySinceLastSr) {
    public static final int SIZE = 24;

    public ReportBlock {
        if (fractionLost < 0 || fractionLost > 255) {
            throw new IllegalArgumentException("fractionLost is 8 bits: " + fractionLost);
        }
        if (cumulativeLost < -0x800000 || cumulativeLost > 0x7FFFFF) {
            throw new IllegalArgumentException("cumulativeLost is signed 24 bits: " + cumulativeLost);
        }
    }

    /** The fraction of packets lost in the last interval, 0.0 .. ~1.0. */
    public double fractionLostRatio() {
        return fractionLost / 256.0;
    }

    void writeTo(byte[] buf, int off) {
        RtpPacket.put32(buf, off, ssrc);
        buf[off + 4] = (byte) fractionLost;
        buf[off + 5] = (byte) (cumulativeLost >> 16);
        buf[off + 6] = (byte) (cumulativeLost >> 8);
        buf[off + 7] = (byte) cumulativeLost;
        RtpPacket.put32(buf, off + 8, extendedHighestSequence);
        RtpPacket.put32(buf, off + 12, jitter);
        RtpPacket.put32(buf, off + 16, lastSr);
        RtpPacket.put32(buf, off + 20, delaySinceLastSr);
    }
}
