package dev.wavoice.media.sdp;

import dev.wavoice.media.dtls.DtlsFingerprint;
import dev.wavoice.media.dtls.DtlsRole;
import java.util.List;
import java.util.Objects;

/**
 * What we put in our own description.
 *
 * @param iceUfrag     RFC 8839 §5.4: at least 4 ice-chars
 * @param icePwd       at least 22 ice-chars
 * @param fingerprint  our certificate's sha-256 fingerprint (the only hash WhatsApp accepts)
 * @param candidates   all known at once (host, announced public address); the first is the default candidate
 *                     that also fills {@code m=} and {@code c=} (RFC 8839 §4.2.1.2)
 * @param actpassRole  the DTLS role we take when the offer says {@code actpass}; WhatsApp needs {@link DtlsRole#CLIENT}
 * @param ssrc         our audio SSRC (unsigned 32 bit)
 * @param cname        RTCP CNAME (RFC 7022)
 * @param sessionId    the {@code o=} session id
 */
public record LocalMediaParameters(String iceUfrag, String icePwd, DtlsFingerprint fingerprint,
                                   List<Candidate> candidates, DtlsRole actpassRole, long ssrc, String cname,
                                   long sessionId) {

    public LocalMediaParameters {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(actpassRole, "actpassRole");
        Objects.requireNonNull(cname, "cname");
        candidates = List.copyOf(candidates);
        if (iceUfrag == null || iceUfrag.length() < 4 || !iceChars(iceUfrag)) {
            throw new IllegalArgumentException("ice-ufrag must be >= 4 ice-chars (RFC 8839 §5.4)");
        }
        if (icePwd == null || icePwd.length() < 22 || !iceChars(icePwd)) {
            throw new IllegalArgumentException("ice-pwd must be >= 22 ice-chars (RFC 8839 §5.4)");
        }
        if (!fingerprint.algorithm().equals(DtlsFingerprint.SHA_256)) {
            throw new IllegalArgumentException("we announce sha-256 fingerprints only, got " + fingerprint.algorithm());
        }
        if (ssrc < 0 || ssrc > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("ssrc must be an unsigned 32-bit value");
        }
    }

    private static boolean iceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '/')) {
                return false;
            }
        }
        return true;
    }
}
