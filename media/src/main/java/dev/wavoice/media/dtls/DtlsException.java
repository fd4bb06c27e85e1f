package dev.wavoice.media.dtls;

/** Why a DTLS handshake failed; subclasses name each cause so callers need not parse messages. */
public abstract sealed class DtlsException extends Exception
        permits DtlsFingerprintMismatchException, DtlsHandshakeTimeoutException, DtlsHandshakeFailedException {
    private static final long serialVersionUID = 1L;

    DtlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
