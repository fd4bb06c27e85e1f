package dev.wavoice.media.stun;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * MESSAGE-INTEGRITY (RFC 8489 §14.5) with a short-term credential: HMAC-SHA1 keyed with the password
 * (RFC 8489 §9.1.1; ICE passwords are plain ASCII, so OpaqueString preparation changes nothing).
 *
 * <p>Not thread-safe: it holds one {@link Mac} and a scratch buffer so that verifying a consent check
 * allocates nothing. Give each ICE agent its own instances (one per password).
 */
public final class MessageIntegrity {
    public static final int LENGTH = 20;

    private final Mac mac;
    private final byte[] scratch = new byte[LENGTH];
    private final byte[] lengthField = new byte[2];

    public MessageIntegrity(byte[] key) {
        try {
            mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is mandatory in every JDK", e);
        }
    }

    public static MessageIntegrity shortTerm(String password) {
        return new MessageIntegrity(password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks the MESSAGE-INTEGRITY of a message decoded from {@code buf} at {@code off}, in place. Returns false
     * when the message has no MESSAGE-INTEGRITY attribute.
     */
    public boolean verify(byte[] buf, int off, StunMessage message) {
        int miOff = message.integrityOffset();
        if (miOff < 0) {
            return false;
        }
        compute(buf, off, miOff, scratch);
        int diff = 0;
        for (int i = 0; i < LENGTH; i++) {
            diff |= scratch[i] ^ buf[off + miOff + 4 + i];
        }
        return diff == 0; // constant time, so a forger learns nothing from timing
    }

    /**
     * HMAC over the header and the attributes before MESSAGE-INTEGRITY, with the header length field set as if
     * MESSAGE-INTEGRITY were the last attribute (RFC 8489 §14.5), without modifying {@code buf}.
     */
    void compute(byte[] buf, int off, int miOff, byte[] out) {
        int adjustedLength = miOff - StunMessage.HEADER_LENGTH + 4 + LENGTH;
        lengthField[0] = (byte) (adjustedLength >>> 8);
        lengthField[1] = (byte) adjustedLength;
        mac.update(buf, off, 2);
        mac.update(lengthField, 0, 2);
        mac.update(buf, off + 4, miOff - 4);
        try {
            mac.doFinal(out, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException("a 20-byte buffer always fits HMAC-SHA1", e);
        }
    }
}
