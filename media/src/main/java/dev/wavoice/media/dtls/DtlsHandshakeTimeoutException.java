package dev.wavoice.media.dtls;

import java.time.Duration;

/** No complete handshake within the configured time: the peer is silent or the path is lost. */
public final class DtlsHandshakeTimeoutException extends DtlsException {
    private static final long serialVersionUID = 1L;

    DtlsHandshakeTimeoutException(Duration timeout, Throwable cause) {
        super("DTLS handshake did not complete within " + timeout.toMillis() + " ms", cause);
    }
}
