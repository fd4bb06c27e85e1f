/**
 * RTP and RTCP for one audio call (RFC 3550), header extensions (RFC 8285, RFC 6464 audio level) and DTMF as
 * telephone-events (RFC 4733).
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>Packets: {@link dev.wavoice.media.rtp.RtpPacket} (a reusable zero-copy view, {@code wrap} returns false on
 *       malformed bytes) and {@link dev.wavoice.media.rtp.RtpHeaderWriter}; {@link dev.wavoice.media.rtp.AudioLevel}
 *       packs and computes RFC 6464 levels.</li>
 *   <li>RTCP: {@link dev.wavoice.media.rtp.RtcpReader} (a cursor over a validated compound; unknown types are
 *       stepped over), {@link dev.wavoice.media.rtp.RtcpWriter} (SR, RR, SDES CNAME, BYE),
 *       {@link dev.wavoice.media.rtp.ReceptionStats} (A.1 sequence validation, A.3 loss, A.8 jitter),
 *       {@link dev.wavoice.media.rtp.RtcpScheduler} (5 s ± 50 %) and {@link dev.wavoice.media.rtp.RtcpSession}, which
 *       ties them together for a call and computes RTT from LSR/DLSR.</li>
 *   <li>DTMF: {@link dev.wavoice.media.rtp.TelephoneEventReceiver} →
 *       {@link dev.wavoice.media.rtp.DtmfEvent}, {@link dev.wavoice.media.rtp.TelephoneEventSender}.</li>
 *   <li>Per call: {@link dev.wavoice.media.rtp.InboundRtp} (the inbound step after SRTP: classify, count, route)
 *       and {@link dev.wavoice.media.rtp.OutboundRtp} (our SSRC, the sequence numbers audio and events share,
 *       the sender counts for SR).</li>
 * </ul>
 *
 * <h2>Packet path rules</h2>
 * No exception for bad input (false, null or -1, and a counter), no allocation per RTP packet after warm-up
 * ({@code RtpAllocationTest} reports the figure), no logging. RTCP and DTMF events allocate a little per report
 * or digit, which happen every few seconds, never per packet.
 */
package dev.wavoice.media.rtp;
