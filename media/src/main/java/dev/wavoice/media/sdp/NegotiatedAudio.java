package dev.wavoice.media.sdp;

import dev.wavoice.media.dtls.DtlsFingerprint;
import dev.wavoice.media.dtls.DtlsRole;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Everything the transport and media layers need from a completed offer/answer exchange.
 *
 * @param remoteFingerprint the peer's preferred fingerprint (sha-256 when offered, else the first), with its
 *                          algorithm, for checking the DTLS certificate
 * @param remoteIceLite     the peer is ICE-lite (RFC 8445 §2.5): we must be the controlling agent
 * @param localDtlsRole     our DTLS role
 * @param telephoneEvent    RFC 4733 events, when both sides have them
 * @param audioLevelExtensionId the id of {@code urn:ietf:params:rtp-hdrext:ssrc-audio-level} (RFC 6464)
 * @param localDirection    the direction we agreed to
 * @param remoteSsrc        from {@code a=ssrc}, when the peer announced one
 */
public record NegotiatedAudio(String mid, String remoteUfrag, String remotePwd, List<Candidate> remoteCandidates,
                              DtlsFingerprint remoteFingerprint, boolean remoteIceLite, DtlsRole localDtlsRole,
                              PayloadFormat opus, Optional<PayloadFormat> telephoneEvent,
                              OptionalInt audioLevelExtensionId, Direction localDirection, OptionalLong remoteSsrc) {

    public NegotiatedAudio {
        remoteCandidates = List.copyOf(remoteCandidates);
    }

    public int opusPayloadType() {
        return opus.payloadType();
    }

    public OptionalInt telephoneEventPayloadType() {
        return telephoneEvent.map(p -> OptionalInt.of(p.payloadType())).orElseGet(OptionalInt::empty);
    }
}
