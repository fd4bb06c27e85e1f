package dev.wavoice.server.media;

import dev.wavoice.media.rtp.InboundRtp;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.TelephoneEventReceiver;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import java.security.SecureRandom;

/**
 * One leg of a relayed call as RTP sees it: what arrives (validated, counted for RTCP, DTMF taken out by
 * {@link InboundRtp}), what we send on it ({@link OutboundRtp}: our SSRC and sequence space on this leg), and its
 * RTCP, terminated here: each leg gets reports about what it sent us and what we sent it, never the other leg's.
 */
final class RelayLeg {
    private static final int OPUS_CLOCK = 48_000;

    final WebRtcEndpoint endpoint;
    final InboundRtp inbound;
    final OutboundRtp out;
    final RtcpSession rtcp;
    final int opusPayloadType;
    /** The audio-level extension id this leg negotiated, 0 when none. */
    final int audioLevelId;
    private final byte[] rtcpBuffer = new byte[1500];

    private RelayLeg(WebRtcEndpoint endpoint, TelephoneEventReceiver dtmf, SecureRandom random) {
        NegotiatedAudio agreed = endpoint.negotiated();
        this.endpoint = endpoint;
        this.opusPayloadType = agreed.opusPayloadType();
        this.audioLevelId = Math.max(0, agreed.audioLevelExtensionId().orElse(0));
        this.out = OutboundRtp.create(endpoint.localSsrc(), OPUS_CLOCK, audioLevelId, random);
        this.rtcp = RtcpSession.forCall(out, endpoint.localCname(), OPUS_CLOCK, random);
        int te = dtmf == null ? -1 : agreed.telephoneEventPayloadType().orElse(-1);
        this.inbound = new InboundRtp(opusPayloadType, te, audioLevelId == 0 ? -1 : audioLevelId, rtcp,
                te < 0 ? null : dtmf);
    }

    /** A leg whose offer/answer is settled; {@code dtmf} receives the caller's keys (null on the agent's leg). */
    static RelayLeg of(WebRtcEndpoint endpoint, TelephoneEventReceiver dtmf, SecureRandom random) {
        return new RelayLeg(endpoint, dtmf, random);
    }

    void onRtcp(byte[] buf, int off, int len) {
        rtcp.onRtcp(buf, off, len, System.nanoTime());
    }

    /** Sends this leg's report when one is due; polled from the packet path, so no timer per call is needed. */
    synchronized void pollRtcp(long nowNanos) {
        int n = rtcp.poll(rtcpBuffer, 0, nowNanos);
        if (n > 0) {
            endpoint.sendRtcp(rtcpBuffer, 0, n);
        }
    }

    /** A last report and BYE (RFC 3550 §6.6) before the leg closes. */
    synchronized void sendBye(String reason) {
        int n = rtcp.writeBye(rtcpBuffer, 0, System.nanoTime(), reason);
        if (n > 0) {
            endpoint.sendRtcp(rtcpBuffer, 0, n);
        }
    }
}
