package dev.wavoice.media.webrtc;

import java.nio.charset.StandardCharsets;

/** Minimal RTP packets for transport tests (the rtp package will bring the real views). */
final class RtpPackets {
    private RtpPackets() {}

    static byte[] packet(int payloadType, int seq, long timestamp, long ssrc, byte[] payload) {
        byte[] p = new byte[12 + payload.length];
        p[0] = (byte) 0x80;
        p[1] = (byte) (payloadType & 0x7F);
        p[2] = (byte) (seq >> 8);
        p[3] = (byte) seq;
        p[4] = (byte) (timestamp >> 24);
        p[5] = (byte) (timestamp >> 16);
        p[6] = (byte) (timestamp >> 8);
        p[7] = (byte) timestamp;
        p[8] = (byte) (ssrc >> 24);
        p[9] = (byte) (ssrc >> 16);
        p[10] = (byte) (ssrc >> 8);
        p[11] = (byte) ssrc;
        System.arraycopy(payload, 0, p, 12, payload.length);
        return p;
    }

    /** A numbered "frame": a CELT 20 ms TOC byte then text, so peers that only forward bytes can be checked. */
    static byte[] numbered(int payloadType, int i, long ssrc) {
        return packet(payloadType, i, 960L * i, ssrc, ("\u00f8frame-" + i).getBytes(StandardCharsets.ISO_8859_1));
    }

    static int headerLength(byte[] p) {
        int len = 12 + 4 * (p[0] & 0x0F);
        if ((p[0] & 0x10) != 0) {
            int words = ((p[len + 2] & 0xFF) << 8) | (p[len + 3] & 0xFF);
            len += 4 + 4 * words;
        }
        return len;
    }
}
