package dev.wavoice.media.dtls;

/**
 * The peer's certificate does not hash to the fingerprint its SDP announced (or it sent none):
 * someone other than the signalled peer is on the media path, or the SDP was altered. We refuse
 * the handshake with a bad_certificate alert.
 */
public final class DtlsFingerprintMismatchException extends DtlsException {
    private static final long serialVersionUID = 1L;

    DtlsFingerprintMismatchException(DtlsFingerprint expected, String actual) {
        super("peer certificate " + actual + " does not match the SDP fingerprint " + expected, null);
    }
}
