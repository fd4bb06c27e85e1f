package dev.wavoice.media.webrtc;

import dev.wavoice.media.ice.CandidatePair;
import dev.wavoice.media.srtp.SrtpProfile;

/** What a {@link WebRtcEndpoint} reports: connected once, then at most one of failed or closed. */
public sealed interface EndpointEvent {

    /**
     * ICE has a selected pair and DTLS is up: SRTP keys are in place and media can flow.
     *
     * @param setupNanos from the endpoint's creation (the offer or answer) to this moment
     */
    record Connected(CandidatePair pair, SrtpProfile profile, long setupNanos) implements EndpointEvent {}

    /** Final: ICE found no path or lost consent, or DTLS failed (wrong fingerprint, timeout). */
    record Failed(String reason) implements EndpointEvent {}

    /** Final: the peer ended the DTLS association (close_notify), or we closed the endpoint. */
    record Closed(String reason) implements EndpointEvent {}
}
