package dev.wavoice.media.sdp;

/** Media direction attributes (RFC 8866 §6.7) and the answer each offer allows (RFC 3264 §6.1). */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    public String attributeName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Our direction when answering a peer that offered {@code this}. */
    public Direction answer() {
        return switch (this) {
            case SENDRECV -> SENDRECV;
            case SENDONLY -> RECVONLY;
            case RECVONLY -> SENDONLY;
            case INACTIVE -> INACTIVE;
        };
    }

    static Direction of(MediaDescription m, SessionDescription s) {
        for (Direction d : values()) {
            if (m.hasAttribute(d.attributeName())) {
                return d;
            }
        }
        for (Direction d : values()) {
            if (s.hasAttribute(d.attributeName())) {
                return d;
            }
        }
        return SENDRECV; // RFC 8866 §6.7.2: the default
    }
}
