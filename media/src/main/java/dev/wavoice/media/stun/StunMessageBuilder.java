package dev.wavoice.media.stun;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a STUN message. MESSAGE-INTEGRITY and FINGERPRINT are appended last, in that order, as RFC 8489
 * §14.5/§14.7 require; ICE always uses both (RFC 8445 §7.1.1, §7.3.1.1 ... and RFC 7675 consent checks).
 */
public final class StunMessageBuilder {
    private final int method;
    private final StunClass stunClass;
    private final TransactionId transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>(8);

    private StunMessageBuilder(int method, StunClass stunClass, TransactionId transactionId) {
        this.method = method;
        this.stunClass = stunClass;
        this.transactionId = transactionId;
    }

    public static StunMessageBuilder of(int method, StunClass stunClass, TransactionId transactionId) {
        return new StunMessageBuilder(method, stunClass, transactionId);
    }

    public static StunMessageBuilder bindingRequest(TransactionId transactionId) {
        return of(StunMessage.METHOD_BINDING, StunClass.REQUEST, transactionId);
    }

    public static StunMessageBuilder bindingSuccess(TransactionId transactionId) {
        return of(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE, transactionId);
    }

    public static StunMessageBuilder bindingError(TransactionId transactionId) {
        return of(StunMessage.METHOD_BINDING, StunClass.ERROR_RESPONSE, transactionId);
    }

    public StunMessageBuilder add(StunAttribute attribute) {
        attributes.add(attribute);
        return this;
    }

    /** Encodes without MESSAGE-INTEGRITY or FINGERPRINT. */
    public byte[] encode() {
        return encode(null, false);
    }

    /**
     * @param integrity  key for MESSAGE-INTEGRITY, or null to leave it out
     * @param fingerprint whether to append FINGERPRINT
     */
    public byte[] encode(MessageIntegrity integrity, boolean fingerprint) {
        int bodyLength = 0;
        for (StunAttribute a : attributes) {
            bodyLength += 4 + pad(valueLength(a));
        }
        int integrityOffset = StunMessage.HEADER_LENGTH + bodyLength;
        if (integrity != null) {
            bodyLength += 4 + MessageIntegrity.LENGTH;
        }
        int fingerprintOffset = StunMessage.HEADER_LENGTH + bodyLength;
        if (fingerprint) {
            bodyLength += 8;
        }
        byte[] out = new byte[StunMessage.HEADER_LENGTH + bodyLength];
        put16(out, 0, StunClass.messageType(method, stunClass));
        put16(out, 2, bodyLength);
        put32(out, 4, StunMessage.MAGIC_COOKIE);
        transactionId.write(out, 8);
        int pos = StunMessage.HEADER_LENGTH;
        for (StunAttribute a : attributes) {
            int len = valueLength(a);
            put16(out, pos, a.type());
            put16(out, pos + 2, len);
            writeValue(a, out, pos + 4);
            pos += 4 + pad(len);
        }
        if (integrity != null) {
            put16(out, integrityOffset, StunAttributeType.MESSAGE_INTEGRITY);
            put16(out, integrityOffset + 2, MessageIntegrity.LENGTH);
            byte[] mac = new byte[MessageIntegrity.LENGTH];
            integrity.compute(out, 0, integrityOffset, mac);
            System.arraycopy(mac, 0, out, integrityOffset + 4, MessageIntegrity.LENGTH);
        }
        if (fingerprint) {
            put16(out, fingerprintOffset, StunAttributeType.FINGERPRINT);
            put16(out, fingerprintOffset + 2, 4);
            put32(out, fingerprintOffset + 4, StunMessage.crc(out, 0, fingerprintOffset));
        }
        return out;
    }

    private static int valueLength(StunAttribute a) {
        return switch (a) {
            case StunAttribute.Username u -> utf8(u.value()).length;
            case StunAttribute.Software s -> utf8(s.value()).length;
            case StunAttribute.Priority p -> 4;
            case StunAttribute.UseCandidate u -> 0;
            case StunAttribute.IceControlling c -> 8;
            case StunAttribute.IceControlled c -> 8;
            case StunAttribute.XorMappedAddress x -> AddressCodec.valueLength(x.address());
            case StunAttribute.MappedAddress m -> AddressCodec.valueLength(m.address());
            case StunAttribute.ErrorCode e -> 4 + utf8(e.reason()).length;
            case StunAttribute.Unknown u -> u.value().length;
        };
    }

    private static void writeValue(StunAttribute a, byte[] out, int off) {
        switch (a) {
            case StunAttribute.Username u -> copy(utf8(u.value()), out, off);
            case StunAttribute.Software s -> copy(utf8(s.value()), out, off);
            case StunAttribute.Priority p -> put32(out, off, (int) p.value());
            case StunAttribute.UseCandidate u -> { }
            case StunAttribute.IceControlling c -> put64(out, off, c.tieBreaker());
            case StunAttribute.IceControlled c -> put64(out, off, c.tieBreaker());
            case StunAttribute.XorMappedAddress x -> AddressCodec.encode(x.address(), out, off, 0, true);
            case StunAttribute.MappedAddress m -> AddressCodec.encode(m.address(), out, off, 0, false);
            case StunAttribute.ErrorCode e -> {
                out[off + 2] = (byte) (e.code() / 100);
                out[off + 3] = (byte) (e.code() % 100);
                copy(utf8(e.reason()), out, off + 4);
            }
            case StunAttribute.Unknown u -> copy(u.value(), out, off);
        }
    }

    private static int pad(int len) {
        return (len + 3) & ~3;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void copy(byte[] src, byte[] out, int off) {
        System.arraycopy(src, 0, out, off, src.length);
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }

    private static void put64(byte[] b, int off, long v) {
        put32(b, off, (int) (v >>> 32));
        put32(b, off + 4, (int) v);
    }
}
