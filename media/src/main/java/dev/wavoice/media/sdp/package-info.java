/**
 * SDP (RFC 8866) and offer/answer (RFC 3264) for one WebRTC audio stream.
 *
 * <ul>
 *   <li>{@link dev.wavoice.media.sdp.SessionDescription#parse} / {@code write()}: tolerant parsing (CRLF or LF,
 *       unknown lines and attributes kept in order), {@link dev.wavoice.media.sdp.SdpParseException} naming the
 *       line for malformed input; writing always uses CRLF.</li>
 *   <li>{@link dev.wavoice.media.sdp.SdpNegotiator}: {@code answer(offer, local)} for peer-initiated calls,
 *       {@code createOffer(local)} and {@code applyAnswer(offer, answer)} for ours. The result,
 *       {@link dev.wavoice.media.sdp.NegotiatedAudio}, is everything ICE, DTLS and RTP need.
 *       {@link dev.wavoice.media.sdp.SdpNegotiationException#reason()} names the rule an unusable description
 *       broke.</li>
 *   <li>{@link dev.wavoice.media.sdp.Candidate} (RFC 8839) values.</li>
 * </ul>
 *
 * <p>Our descriptions are always full ICE with every candidate inline (no trickle), a sha-256 fingerprint only,
 * rtcp-mux and BUNDLE, because WhatsApp's ICE-lite edge requires exactly that (see the project's
 * whatsapp-calling notes, section 4). The only other wavoice types used here are the values SDP carries for DTLS,
 * {@link dev.wavoice.media.dtls.DtlsFingerprint} (RFC 8122 {@code a=fingerprint}) and
 * {@link dev.wavoice.media.dtls.DtlsRole} (decided by {@code a=setup}); the dtls package never depends on this one.
 */
package dev.wavoice.media.sdp;
