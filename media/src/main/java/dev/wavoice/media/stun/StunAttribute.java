package dev.wavoice.media.stun;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The STUN attributes wavoice understands, as values. MESSAGE-INTEGRITY and FINGERPRINT are not listed here:
 * they are computed by {@link StunMessageBuilder} and checked by {@link MessageIntegrity} and
 * {@link StunMessage#parse}, so a caller can never forget or misplace them (RFC 8489 §14.5, §14.7).
 */
public sealed interface StunAttribute {

    int type();

    /** RFC 8489 §14.3: at most 513 bytes of UTF-8; for ICE it is "receiverUfrag:senderUfrag" (RFC 8445 §7.2.2). */
    record Username(String value) implements StunAttribute {
        public int type() {
            return StunAttributeType.USERNAME;
        }
    }

    record Software(String value) implements StunAttribute {
        public int type() {
            return StunAttributeType.SOFTWARE;
        }
    }

    /** RFC 8445 §7.1.1: the priority the sender would give a peer-reflexive candidate learnt from this check. */
    record Priority(long value) implements StunAttribute {
        public int type() {
            return StunAttributeType.PRIORITY;
        }
    }

    /** RFC 8445 §7.1.2: the controlling agent nominates the pair this check travels on. */
    record UseCandidate() implements StunAttribute {
        public int type() {
            return StunAttributeType.USE_CANDIDATE;
        }
    }

    /** RFC 8445 §7.1.3: the sender believes it is controlling; the 64-bit value breaks role ties. */
    record IceControlling(long tieBreaker) implements StunAttribute {
        public int type() {
            return StunAttributeType.ICE_CONTROLLING;
        }
    }

    record IceControlled(long tieBreaker) implements StunAttribute {
        public int type() {
            return StunAttributeType.ICE_CONTROLLED;
        }
    }

    /** RFC 8489 §14.2: the source address the server saw, obfuscated against NATs that rewrite addresses. */
    record XorMappedAddress(InetSocketAddress address) implements StunAttribute {
        public int type() {
            return StunAttributeType.XOR_MAPPED_ADDRESS;
        }
    }

    /** RFC 3489-era servers still send plain MAPPED-ADDRESS (RFC 8489 §14.1). */
    record MappedAddress(InetSocketAddress address) implements StunAttribute {
        public int type() {
            return StunAttributeType.MAPPED_ADDRESS;
        }
    }

    /** RFC 8489 §14.8: code 300..699; reason phrase is informative only. */
    record ErrorCode(int code, String reason) implements StunAttribute {
        public static final int BAD_REQUEST = 400;
        public static final int UNAUTHENTICATED = 401;
        public static final int UNKNOWN_ATTRIBUTE = 420;
        public static final int ROLE_CONFLICT = 487;

        public ErrorCode {
            if (code < 300 || code > 699) {
                throw new IllegalArgumentException("STUN error code must be 300..699: " + code);
            }
        }

        public int type() {
            return StunAttributeType.ERROR_CODE;
        }
    }

    /** Anything else, kept raw so a message can be inspected or re-encoded. */
    record Unknown(int type, byte[] value) implements StunAttribute {
        public Unknown {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.type == type && Arrays.equals(u.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return String.format("Unknown[type=0x%04x, value=%s]", type, HexFormat.of().formatHex(value));
        }
    }
}
