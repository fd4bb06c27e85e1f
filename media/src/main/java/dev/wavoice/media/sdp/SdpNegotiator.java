package dev.wavoice.media.sdp;

import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.ANSWER_MISMATCH;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.AUDIO_REJECTED;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.INVALID_SETUP;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.NO_OPUS;
import static dev.wavoice.media.sdp.SdpNegotiationException.Reason.RTCP_MUX_REQUIRED;

import dev.wavoice.media.dtls.DtlsRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Offer/answer (RFC 3264, RFC 8829 for WebRTC) for one audio stream. We are always a full ICE agent
 * (never {@code a=ice-lite}) and announce a sha-256 fingerprint only, with all candidates inline (no trickle),
 * because WhatsApp's ICE-lite edge needs exactly that.
 */
public final class SdpNegotiator {
    /** Opus PT and parameters we offer; the same as WhatsApp's, so an offer we make looks familiar to it. */
    static final PayloadFormat OFFER_OPUS = new PayloadFormat(111, "opus", 48000, 2, "minptime=10;useinbandfec=1");
    static final PayloadFormat OFFER_TELEPHONE_EVENT = new PayloadFormat(126, "telephone-event", 8000, 1, "");
    static final int OFFER_AUDIO_LEVEL_ID = 1;
    static final String OFFER_MID = "0";

    private SdpNegotiator() {
    }

    /** Our answer to a remote offer, and what it settles. */
    public record Answer(SessionDescription sdp, NegotiatedAudio negotiated) {
    }

    public static Answer answer(SessionDescription offer, LocalMediaParameters local) throws SdpNegotiationException {
        AudioSection remote = AudioSection.read(offer, null);
        if (!remote.rtcpMux()) {
            throw new SdpNegotiationException(RTCP_MUX_REQUIRED, "the offer does not allow a=rtcp-mux");
        }
        PayloadFormat offeredOpus = remote.opus();
        if (offeredOpus == null) {
            throw new SdpNegotiationException(NO_OPUS, "no opus/48000/2 among " + remote.media().formats());
        }
        // RFC 4145 §4 / RFC 5763 §5: the offerer should say actpass; a missing setup is treated the same.
        DtlsRole role = switch (remote.setup() == null ? "actpass" : remote.setup().trim()) {
            case "actpass" -> local.actpassRole();
            case "active" -> DtlsRole.SERVER;
            case "passive" -> DtlsRole.CLIENT;
            default -> throw new SdpNegotiationException(INVALID_SETUP,
                    "the offer says a=setup:" + remote.setup() + "; expected actpass, active or passive");
        };
        // Keep the offered PT; answer with our receive preferences: in-band FEC on (RFC 7587 §6.1), the
        // peer's minptime.
        String minptime = offeredOpus.parameter("minptime");
        PayloadFormat opus = new PayloadFormat(offeredOpus.payloadType(), offeredOpus.encoding(), 48000,
                offeredOpus.channels(), "minptime=" + (minptime == null ? "10" : minptime) + ";useinbandfec=1");
        PayloadFormat te = remote.telephoneEvent();
        Direction direction = remote.direction().answer();

        List<Attribute> session = new ArrayList<>();
        if (remote.bundled()) {
            session.add(Attribute.of("group", "BUNDLE " + remote.mid()));
        }
        List<MediaDescription> media = new ArrayList<>();
        for (int i = 0; i < offer.media().size(); i++) {
            MediaDescription m = offer.media().get(i);
            media.add(i == remote.index()
                    ? LocalAudioSection.build(local, remote.mid(), remote.media().proto(), setupInAnswer(role),
                            opus, te, remote.audioLevelExtensionId(), direction)
                    : rejected(m));
        }
        SessionDescription answer = new SessionDescription(Origin.of(local.sessionId(), 2), "-",
                List.of(new SdpField('t', "0 0")), session, media);
        NegotiatedAudio negotiated = new NegotiatedAudio(remote.mid(), remote.ufrag(), remote.pwd(),
                udpComponentOne(remote.candidates()), remote.fingerprint(), remote.iceLite(), role, opus,
                Optional.ofNullable(te), remote.audioLevelExtensionId(), direction, remote.ssrc());
        return new Answer(answer, negotiated);
    }

    /** An offer for one audio stream: {@code setup:actpass}, full ICE, Opus 111, telephone-event 126, BUNDLE. */
    public static SessionDescription createOffer(LocalMediaParameters local) {
        MediaDescription audio = LocalAudioSection.build(local, OFFER_MID, "UDP/TLS/RTP/SAVPF", "actpass",
                OFFER_OPUS, OFFER_TELEPHONE_EVENT, OptionalInt.of(OFFER_AUDIO_LEVEL_ID), Direction.SENDRECV);
        return new SessionDescription(Origin.of(local.sessionId(), 2), "-", List.of(new SdpField('t', "0 0")),
                List.of(Attribute.of("group", "BUNDLE " + OFFER_MID)), List.of(audio));
    }

    /** Reads the peer's answer to an offer we made with {@link #createOffer}. */
    public static NegotiatedAudio applyAnswer(SessionDescription ourOffer, SessionDescription answer)
            throws SdpNegotiationException {
        AudioSection ours = AudioSection.read(ourOffer, null);
        if (answer.media().size() != ourOffer.media().size()) {
            throw new SdpNegotiationException(ANSWER_MISMATCH, "the answer has " + answer.media().size()
                    + " media sections, the offer " + ourOffer.media().size() + " (RFC 3264 §6)");
        }
        MediaDescription answered = answer.media().get(ours.index());
        if (answered.media().equals("audio") && answered.port() == 0) {
            throw new SdpNegotiationException(AUDIO_REJECTED, "the peer rejected the audio section (port 0)");
        }
        AudioSection remote = AudioSection.read(answer, ours.mid());
        if (remote.index() != ours.index()) {
            throw new SdpNegotiationException(ANSWER_MISMATCH, "the answered audio section moved");
        }
        if (!remote.rtcpMux()) {
            throw new SdpNegotiationException(RTCP_MUX_REQUIRED, "the answer does not accept a=rtcp-mux");
        }
        PayloadFormat opus = remote.opus();
        if (opus == null) {
            throw new SdpNegotiationException(NO_OPUS, "the answer has no opus/48000/2");
        }
        for (int pt : remote.formats().keySet()) {
            if (!ours.formats().containsKey(pt)) {
                throw new SdpNegotiationException(ANSWER_MISMATCH, "the answer uses payload type " + pt
                        + " that we did not offer");
            }
        }
        // RFC 4145 §4: an answer without a=setup means active; actpass is not allowed in an answer (RFC 5763 §5).
        DtlsRole role = switch (remote.setup() == null ? "active" : remote.setup().trim()) {
            case "active" -> DtlsRole.SERVER;
            case "passive" -> DtlsRole.CLIENT;
            default -> throw new SdpNegotiationException(INVALID_SETUP,
                    "the answer says a=setup:" + remote.setup() + "; expected active or passive");
        };
        return new NegotiatedAudio(remote.mid(), remote.ufrag(), remote.pwd(), udpComponentOne(remote.candidates()),
                remote.fingerprint(), remote.iceLite(), role, opus, Optional.ofNullable(remote.telephoneEvent()),
                ours.audioLevelExtensionId().isPresent() ? remote.audioLevelExtensionId() : OptionalInt.empty(),
                remote.direction().answer(), remote.ssrc());
    }

    /** The {@code a=setup} of an answer in which we take {@code role} (RFC 4145 §4): active sends ClientHello. */
    private static String setupInAnswer(DtlsRole role) {
        return role == DtlsRole.CLIENT ? "active" : "passive";
    }

    /** RFC 3264 §6: a section we do not accept is answered with port 0 and its first format. */
    private static MediaDescription rejected(MediaDescription offered) {
        List<Attribute> attributes = new ArrayList<>();
        String mid = offered.attribute("mid");
        if (mid != null) {
            attributes.add(Attribute.of("mid", mid));
        }
        List<String> formats = offered.formats().isEmpty() ? List.of("0") : offered.formats().subList(0, 1);
        return new MediaDescription(offered.media(), 0, 0, offered.proto(), formats, List.of(), attributes);
    }

    /** With rtcp-mux there is one component (RFC 5761); we only speak UDP. */
    private static List<Candidate> udpComponentOne(List<Candidate> candidates) {
        List<Candidate> usable = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.component() == 1 && c.isUdp()) {
                usable.add(c);
            }
        }
        return usable;
    }
}
