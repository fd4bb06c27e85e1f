package dev.wavoice.server.whatsapp;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code X-Hub-Signature-256}: HMAC-SHA256 of the raw body bytes keyed with the app secret. The check runs on
 * the bytes as received, before any parsing, and compares in constant time so a forger learns nothing from
 * response timing.
 */
public final class WebhookSignature {
    public static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;

    public WebhookSignature(String appSecret) {
        this.key = new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The header value Meta would send for this body. */
    public String sign(byte[] body) {
        return PREFIX + HEX.formatHex(hmac(body));
    }

    /** True only for a well-formed header whose digest matches the body. */
    public boolean verify(byte[] body, String header) {
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        String hex = header.substring(PREFIX.length()).trim();
        if (hex.length() != 64) {
            return false;
        }
        byte[] claimed;
        try {
            claimed = HEX.parseHex(hex.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(body), claimed);
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }
}
