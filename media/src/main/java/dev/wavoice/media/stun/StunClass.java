package dev.wavoice.media.stun;

/** The two class bits of the STUN message type (RFC 8489 §5), spread over bits C1 (0x100) and C0 (0x010). */
public enum StunClass {
    REQUEST(0x0000),
    INDICATION(0x0010),
    SUCCESS_RESPONSE(0x0100),
    ERROR_RESPONSE(0x0110);

    static final int MASK = 0x0110;

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    int bits() {
        return bits;
    }

    static StunClass fromType(int type) {
        return switch (type & MASK) {
            case 0x0000 -> REQUEST;
            case 0x0010 -> INDICATION;
            case 0x0100 -> SUCCESS_RESPONSE;
            default -> ERROR_RESPONSE;
        };
    }

    /** Interleaves method bits around the class bits: M11..M7 C1 M6..M4 C0 M3..M0. */
    static int messageType(int method, StunClass cls) {
        return ((method & 0x0F80) << 2) | ((method & 0x0070) << 1) | (method & 0x000F) | cls.bits;
    }

    static int methodOf(int type) {
        return ((type & 0x3E00) >> 2) | ((type & 0x00E0) >> 1) | (type & 0x000F);
    }
}
