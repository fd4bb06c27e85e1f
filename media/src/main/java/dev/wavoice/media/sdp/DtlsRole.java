package dev.wavoice.media.sdp;

/** Our side of the DTLS handshake, decided by {@code a=setup} (RFC 5763 §5, RFC 4145 §4). */
public enum DtlsRole {
    /** We send ClientHello: we wrote (or the peer's answer implies) {@code setup:active}. */
    CLIENT,
    /** We wait for ClientHello: {@code setup:passive}. */
    SERVER;

    String setupInAnswer() {
        return this == CLIENT ? "active" : "passive";
    }
}
