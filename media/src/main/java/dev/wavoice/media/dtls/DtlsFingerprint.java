package dev.wavoice.media.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate fingerprint as SDP carries it ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122 §5).
 * In DTLS-SRTP the fingerprint, delivered over the signalling channel, is the only trust anchor:
 * the certificates themselves are self-signed (RFC 5763 §5).
 *
 * @param algorithm hash function name as registered for SDP, lower case ({@code sha-256})
 * @param value     the digest of the DER certificate
 */
public record DtlsFingerprint(String algorithm, byte[] value) {
    /** The hash we announce for our own certificate; WhatsApp accepts no other. */
    public static final String SHA_256 = "sha-256";

    public DtlsFingerprint {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        jcaName(algorithm);
        value = value.clone();
    }

    /** SHA-256 of a DER certificate: the only algorithm we advertise. */
    public static DtlsFingerprint sha256(byte[] derCertificate) {
        return of(SHA_256, derCertificate);
    }

    public static DtlsFingerprint of(String algorithm, byte[] derCertificate) {
        try {
            return new DtlsFingerprint(algorithm, MessageDigest.getInstance(jcaName(algorithm)).digest(derCertificate));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " unavailable in this JVM", e);
        }
    }

    /**
     * Parses the value of an SDP {@code a=fingerprint:} attribute, e.g. {@code sha-256 AB:CD:…}.
     *
     * @throws IllegalArgumentException naming what is wrong, for a typed SDP error upstream
     */
    public static DtlsFingerprint parse(String sdpValue) {
        String[] parts = sdpValue.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("fingerprint must be '<hash-func> <hex:hex:…>': " + sdpValue);
        }
        String hex = parts[1].replace(":", "");
        byte[] value;
        try {
            value = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fingerprint is not colon-separated hex: " + parts[1], e);
        }
        DtlsFingerprint fp = new DtlsFingerprint(parts[0], value);
        int expected = digestLength(fp.algorithm);
        if (value.length != expected) {
            throw new IllegalArgumentException(fp.algorithm + " fingerprint must have " + expected
                    + " bytes, has " + value.length);
        }
        return fp;
    }

    /** Whether {@code derCertificate} hashes to this fingerprint; constant-time comparison. */
    public boolean matches(byte[] derCertificate) {
        return MessageDigest.isEqual(of(algorithm, derCertificate).value, value);
    }

    @Override public byte[] value() { return value.clone(); }

    /** Upper-case colon-separated hex, as browsers write it. */
    public String hex() {
        StringBuilder sb = new StringBuilder(value.length * 3);
        HexFormat hf = HexFormat.of().withUpperCase();
        for (int i = 0; i < value.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hf.toHexDigits(value[i]));
        }
        return sb.toString();
    }

    /** The attribute value: {@code sha-256 AB:CD:…}. */
    public String toSdp() {
        return algorithm + " " + hex();
    }

    @Override public boolean equals(Object o) {
        return o instanceof DtlsFingerprint f && f.algorithm.equals(algorithm) && MessageDigest.isEqual(f.value, value);
    }

    @Override public int hashCode() {
        return algorithm.hashCode() * 31 + java.util.Arrays.hashCode(value);
    }

    @Override public String toString() {
        return toSdp();
    }

    /**
     * Whether we can hash a certificate with {@code algorithm}, an SDP hash function name in any case: a remote
     * fingerprint with another hash (e.g. md5, still in the RFC 8122 registry) cannot authenticate the peer.
     */
    public static boolean isSupported(String algorithm) {
        return switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "sha-1", "sha-224", "sha-256", "sha-384", "sha-512" -> true;
            default -> false;
        };
    }

    /** The SDP names of the hashes we support are the JCA names in lower case. */
    private static String jcaName(String sdpName) {
        if (!isSupported(sdpName)) {
            throw new IllegalArgumentException("unsupported fingerprint hash function: " + sdpName);
        }
        return sdpName.toUpperCase(Locale.ROOT);
    }

    private static int digestLength(String sdpName) {
        return switch (sdpName) {
            case "sha-1" -> 20;
            case "sha-224" -> 28;
            case "sha-256" -> 32;
            case "sha-384" -> 48;
            default -> 64;
        };
    }
}
