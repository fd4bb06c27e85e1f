package dev.wavoice.media.transport;

/**
 * RFC 7983 §7 demultiplexing by the first byte of a datagram on a shared port: STUN 0-3, DTLS 20-63,
 * RTP/RTCP 128-191. Everything else is dropped. (ZRTP 16-19 and TURN channels 64-79 are not used here.)
 */
public enum PacketClass {
    STUN, DTLS, RTP;

    /** The class of a datagram starting with {@code firstByte}, or null when it is none of ours. */
    public static PacketClass of(byte firstByte) {
        int b = firstByte & 0xFF;
        if (b <= 3) {
            return STUN;
        }
        if (b >= 20 && b <= 63) {
            return DTLS;
        }
        if (b >= 128 && b <= 191) {
            return RTP;
        }
        return null;
    }

    /** The least a datagram of this class can hold: STUN header 20, DTLS record header 13, RTP header 12. */
    int minimumLength() {
        return switch (this) {
            case STUN -> 20;
            case DTLS -> 13;
            case RTP -> 12;
        };
    }
}
