package dev.wavoice.media.dtls;

/**
 * The handshake broke for another reason: the peer sent a fatal alert (e.g. it rejected our
 * certificate), no common cipher suite or SRTP profile, a malformed message, or we closed first.
 */
public final class DtlsHandshakeFailedException extends DtlsException {
    private static final long serialVersionUID = 1L;

    DtlsHandshakeFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
