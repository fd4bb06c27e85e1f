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
 *
 * <h2>Measured</h2>
 * Steady state on the shared 2-core machine under load (other builds running), 1M packets per round after two
 * warm-up rounds: {@code InboundRtp.accept} (wrap, A.1/A.8 statistics under the call's lock, audio-level read)
 * ≈ 32-47 ns and 0 bytes per packet; {@code OutboundRtp.writeHeader} with the audio level ≈ 20 ns and 0 bytes.
 * <pre>
 * mvn -q -pl media test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp media/target/test-classes:media/target/classes:$(cat /tmp/cp.txt) dev.wavoice.media.rtp.RtpAllocationTest 1000000
 * </pre>
 *
 * <h2>Interop</h2>
 * {@code RtpPionInteropTest}: Pion as WhatsApp's edge sends "1234#" as RFC 4733 events (48 kHz timestamps, 8 kHz
 * durations, three E packets) and its report interceptors' RTCP: a bare SR about its stream and a bare RR about
 * ours (no SDES), about once a second. We report each digit once, in order; parse both; compute RTT from its RR;
 * and Pion counts our SR/RR + SDES compounds.
 */
package dev.wavoice.media.rtp;
