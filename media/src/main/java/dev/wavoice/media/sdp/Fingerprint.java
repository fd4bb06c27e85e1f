package dev.wavoice.media.sdp;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate fingerprint (RFC 8122 §5): hash function name as written in SDP (lower case) and the digest.
 * We write sha-256 only (WhatsApp rejects others); we accept any algorithm on input and remember which, so the
 * DTLS layer can hash the peer certificate the same way.
 */
public record Fingerprint(String algorithm, byte[] value) {
    public static final String SHA_256 = "sha-256";

    public Fingerprint {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The {@link java.security.MessageDigest} name, e.g. {@code SHA-256} for {@code sha-256}. */
    public String javaAlgorithm() {
        return algorithm.toUpperCase(Locale.ROOT);
    }

    public boolean matches(byte[] digest) {
        return java.security.MessageDigest.isEqual(value, digest);
    }

    /** The value after {@code a=fingerprint:}: {@code sha-256 AB:CD:...}. */
    public String format() {
        return algorithm + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(value);
    }

    public static Fingerprint parse(String text) throws SdpParseException {
        String[] p = Tokens.words(text);
        if (p.length != 2) {
            throw new SdpParseException(0, text, "fingerprint needs <hash-func> <hex:hex:...>");
        }
        try {
            byte[] digest = HexFormat.ofDelimiter(":").parseHex(p[1]);
            if (digest.length < 16) {
                throw new SdpParseException(0, text, "fingerprint is too short to be a digest");
            }
            return new Fingerprint(p[0], digest);
        } catch (IllegalArgumentException e) {
            throw new SdpParseException(0, text, "fingerprint is not colon-separated hex");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && f.algorithm.equals(algorithm) && Arrays.equals(f.value, value);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Fingerprint[" + format() + "]";
    }
}
