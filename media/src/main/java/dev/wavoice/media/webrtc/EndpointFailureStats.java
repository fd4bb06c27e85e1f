package dev.wavoice.media.webrtc;

/**
 * Why a transport's endpoints never carried media, counted since it opened, so a failed call can be explained from
 * metrics without its log.
 *
 * @param offersRefused           a remote offer that could not be parsed or answered
 * @param answersRefused          a remote answer to our offer that could not be parsed or applied (no audio, no Opus,
 *                                {@code a=setup:actpass}, …)
 * @param iceFailed               no candidate pair answered, or consent was lost
 * @param dtlsFingerprintMismatch the peer's certificate did not hash to the SDP fingerprint (RFC 8122 §5)
 * @param dtlsHandshakeTimeout    the handshake did not finish in time
 * @param dtlsHandshakeFailed     the handshake failed otherwise (alert, no SRTP profile in common, …)
 */
public record EndpointFailureStats(long offersRefused, long answersRefused, long iceFailed,
                                   long dtlsFingerprintMismatch, long dtlsHandshakeTimeout, long dtlsHandshakeFailed) {

    public long dtlsFailed() {
        return dtlsFingerprintMismatch + dtlsHandshakeTimeout + dtlsHandshakeFailed;
    }
}
