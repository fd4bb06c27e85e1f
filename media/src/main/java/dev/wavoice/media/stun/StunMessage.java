package dev.wavoice.media.stun;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A decoded STUN message (RFC 8489). Decoding never throws: {@link #parse} returns null for anything that is
 * not a well-formed STUN message, so a receive loop can count the drop and carry on.
 *
 * <p>The message keeps no reference to the datagram buffer. MESSAGE-INTEGRITY is checked against the
 * original bytes with {@link MessageIntegrity#verify(byte[], int, StunMessage)} while the buffer is still
 * valid (during the receive handler), using {@link #integrityOffset()}; this avoids copying the message.
 */
public final class StunMessage {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int METHOD_BINDING = 0x001;
    static final int FINGERPRINT_XOR = 0x5354554E;

    private final int method;
    private final StunClass stunClass;
    private final TransactionId transactionId;
    private final List<StunAttribute> attributes;
    private final int integrityOffset;
    private final boolean hasFingerprint;

    StunMessage(int method, StunClass stunClass, TransactionId transactionId, List<StunAttribute> attributes,
                int integrityOffset, boolean hasFingerprint) {
        this.method = method;
        this.stunClass = stunClass;
        this.transactionId = transactionId;
        this.attributes = List.copyOf(attributes);
        this.integrityOffset = integrityOffset;
        this.hasFingerprint = hasFingerprint;
    }

    /**
     * Cheap classification for demultiplexing: the first two bits are zero (RFC 8489 §5, RFC 7983 first byte
     * 0..3), the length is a multiple of four and fits, and the magic cookie is present.
     */
    public static boolean isStun(byte[] buf, int off, int len) {
        if (len < HEADER_LENGTH || (buf[off] & 0xC0) != 0) {
            return false;
        }
        int bodyLength = u16(buf, off + 2);
        return (bodyLength & 3) == 0 && HEADER_LENGTH + bodyLength <= len && i32(buf, off + 4) == MAGIC_COOKIE;
    }

    /**
     * Decodes one datagram. Returns null if the datagram is not exactly one well-formed STUN message, if an
     * attribute is truncated or malformed, or if a FINGERPRINT is present and wrong (RFC 8489 §7.3).
     */
    public static StunMessage parse(byte[] buf, int off, int len) {
        if (!isStun(buf, off, len) || HEADER_LENGTH + u16(buf, off + 2) != len) {
            return null;
        }
        int type = u16(buf, off);
        TransactionId tid = TransactionId.read(buf, off + 8);
        List<StunAttribute> attributes = new ArrayList<>(8);
        int integrityOffset = -1;
        boolean fingerprint = false;
        int pos = HEADER_LENGTH;
        while (pos < len) {
            if (fingerprint || len - pos < 4) {
                return null; // FINGERPRINT must be last (RFC 8489 §14.7); or a truncated attribute header
            }
            int attrType = u16(buf, off + pos);
            int attrLen = u16(buf, off + pos + 2);
            int valueOff = off + pos + 4;
            int padded = (attrLen + 3) & ~3;
            if (pos + 4 + padded > len) {
                return null;
            }
            if (attrType == StunAttributeType.FINGERPRINT) {
                if (attrLen != 4 || crc(buf, off, pos) != i32(buf, valueOff)) {
                    return null;
                }
                fingerprint = true;
            } else if (integrityOffset >= 0) {
                // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY (other than FINGERPRINT) are ignored.
            } else if (attrType == StunAttributeType.MESSAGE_INTEGRITY) {
                if (attrLen != MessageIntegrity.LENGTH) {
                    return null;
                }
                integrityOffset = pos;
            } else {
                StunAttribute attribute = decodeAttribute(attrType, buf, valueOff, attrLen, off);
                if (attribute == null) {
                    return null;
                }
                attributes.add(attribute);
            }
            pos += 4 + padded;
        }
        return new StunMessage(StunClass.methodOf(type), StunClass.fromType(type), tid, attributes,
                integrityOffset, fingerprint);
    }

    /**
     * Finds USERNAME without decoding the whole message, for demultiplexing Binding requests by ufrag on a
     * shared port. Returns null when absent or when the attribute walk hits malformed input.
     */
    public static String usernameOf(byte[] buf, int off, int len) {
        if (!isStun(buf, off, len)) {
            return null;
        }
        int end = Math.min(len, HEADER_LENGTH + u16(buf, off + 2));
        int pos = HEADER_LENGTH;
        while (end - pos >= 4) {
            int attrType = u16(buf, off + pos);
            int attrLen = u16(buf, off + pos + 2);
            if (pos + 4 + attrLen > end) {
                return null;
            }
            if (attrType == StunAttributeType.USERNAME) {
                return utf8(buf, off + pos + 4, attrLen);
            }
            pos += 4 + ((attrLen + 3) & ~3);
        }
        return null;
    }

    private static StunAttribute decodeAttribute(int type, byte[] buf, int off, int len, int headerOff) {
        return switch (type) {
            case StunAttributeType.USERNAME -> len > 513 ? null : new StunAttribute.Username(utf8(buf, off, len));
            case StunAttributeType.SOFTWARE -> new StunAttribute.Software(utf8(buf, off, len));
            case StunAttributeType.PRIORITY -> len != 4 ? null : new StunAttribute.Priority(i32(buf, off) & 0xFFFFFFFFL);
            case StunAttributeType.USE_CANDIDATE -> len != 0 ? null : new StunAttribute.UseCandidate();
            case StunAttributeType.ICE_CONTROLLING -> len != 8 ? null : new StunAttribute.IceControlling(i64(buf, off));
            case StunAttributeType.ICE_CONTROLLED -> len != 8 ? null : new StunAttribute.IceControlled(i64(buf, off));
            case StunAttributeType.XOR_MAPPED_ADDRESS -> {
                InetSocketAddress a = AddressCodec.decode(buf, off, len, buf, headerOff, true);
                yield a == null ? null : new StunAttribute.XorMappedAddress(a);
            }
            case StunAttributeType.MAPPED_ADDRESS -> {
                InetSocketAddress a = AddressCodec.decode(buf, off, len, buf, headerOff, false);
                yield a == null ? null : new StunAttribute.MappedAddress(a);
            }
            case StunAttributeType.ERROR_CODE -> {
                if (len < 4) {
                    yield null;
                }
                int code = (buf[off + 2] & 0x07) * 100 + (buf[off + 3] & 0xFF);
                yield code < 300 || code > 699 ? null
                        : new StunAttribute.ErrorCode(code, utf8(buf, off + 4, len - 4));
            }
            default -> {
                byte[] value = new byte[len];
                System.arraycopy(buf, off, value, 0, len);
                yield new StunAttribute.Unknown(type, value);
            }
        };
    }

    static int crc(byte[] buf, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(buf, off, len);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    public int method() {
        return method;
    }

    public StunClass stunClass() {
        return stunClass;
    }

    public TransactionId transactionId() {
        return transactionId;
    }

    /** Attributes in wire order, without MESSAGE-INTEGRITY and FINGERPRINT. */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    /** Offset of the MESSAGE-INTEGRITY attribute from the start of the message, or -1 when absent. */
    public int integrityOffset() {
        return integrityOffset;
    }

    public boolean hasIntegrity() {
        return integrityOffset >= 0;
    }

    public boolean hasFingerprint() {
        return hasFingerprint;
    }

    public boolean isBindingRequest() {
        return method == METHOD_BINDING && stunClass == StunClass.REQUEST;
    }

    public <T extends StunAttribute> T get(Class<T> type) {
        for (StunAttribute a : attributes) {
            if (type.isInstance(a)) {
                return type.cast(a);
            }
        }
        return null;
    }

    public boolean has(Class<? extends StunAttribute> type) {
        return get(type) != null;
    }

    public String username() {
        StunAttribute.Username u = get(StunAttribute.Username.class);
        return u == null ? null : u.value();
    }

    /** XOR-MAPPED-ADDRESS, falling back to MAPPED-ADDRESS for old servers; null when neither is present. */
    public InetSocketAddress mappedAddress() {
        StunAttribute.XorMappedAddress x = get(StunAttribute.XorMappedAddress.class);
        if (x != null) {
            return x.address();
        }
        StunAttribute.MappedAddress m = get(StunAttribute.MappedAddress.class);
        return m == null ? null : m.address();
    }

    @Override
    public String toString() {
        return "StunMessage[method=0x" + Integer.toHexString(method) + ", class=" + stunClass + ", tid=" + transactionId
                + ", attributes=" + attributes + ", integrity=" + hasIntegrity() + ", fingerprint=" + hasFingerprint + "]";
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static int i32(byte[] b, int off) {
        return (u16(b, off) << 16) | u16(b, off + 2);
    }

    static long i64(byte[] b, int off) {
        return ((long) i32(b, off) << 32) | (i32(b, off + 4) & 0xFFFFFFFFL);
    }

    private static String utf8(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }
}
