package dev.wavoice.media.dtls;

/**
 * Which side of the DTLS handshake we play, from the SDP {@code a=setup} we sent (RFC 5763 §5):
 * {@code active} opens the handshake (client), {@code passive} answers it (server).
 * Toward WhatsApp we answer {@code actpass} with {@code active}, so we are the client.
 */
public enum DtlsRole {
    CLIENT,
    SERVER;

    /** The role implied by our own {@code a=setup} value. */
    public static DtlsRole fromLocalSetup(String setup) {
        return switch (setup) {
            case "active" -> CLIENT;
            case "passive" -> SERVER;
            default -> throw new IllegalArgumentException("a=setup:" + setup
                    + " does not fix a DTLS role; answer actpass with active or passive");
        };
    }
}
