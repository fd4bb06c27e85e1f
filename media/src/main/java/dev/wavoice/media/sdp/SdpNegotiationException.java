package dev.wavoice.media.sdp;

/** A well-formed description we cannot negotiate with; {@link #reason()} says which rule it broke. */
public final class SdpNegotiationException extends Exception {

    public enum Reason {
        /** No {@code m=audio} section (we negotiate exactly one audio stream). */
        NO_AUDIO,
        /** The audio section was rejected (port 0) by the answer. */
        AUDIO_REJECTED,
        /** The transport is not DTLS-SRTP ({@code UDP/TLS/RTP/SAVPF}); WebRTC requires it (RFC 8827). */
        UNSUPPORTED_PROTOCOL,
        /** Opus/48000/2 is not among the payload types (RFC 7874 makes it mandatory for WebRTC). */
        NO_OPUS,
        /** {@code a=ice-ufrag} or {@code a=ice-pwd} is missing (RFC 8839 §5.4). */
        MISSING_ICE_CREDENTIALS,
        /**
         * No {@code a=fingerprint} (RFC 8122 §5), or only ones with a hash function we cannot compute, so DTLS
         * could not be authenticated.
         */
        MISSING_FINGERPRINT,
        /** An {@code a=fingerprint} or {@code a=candidate} value we could not read. */
        MALFORMED_ATTRIBUTE,
        /** {@code a=setup} has a value that does not fit the offer/answer step (RFC 5763 §5). */
        INVALID_SETUP,
        /** No {@code a=rtcp-mux}; we only support RTP and RTCP on one port (RFC 8843/5761). */
        RTCP_MUX_REQUIRED,
        /** The answer does not match our offer (mid or payload types). */
        ANSWER_MISMATCH
    }

    private final Reason reason;

    public SdpNegotiationException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
