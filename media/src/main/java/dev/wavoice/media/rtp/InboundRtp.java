package dev.wavoice.media.rtp;

import java.util.concurrent.atomic.LongAdder;

/**
 * The RTP step of a call's inbound path, after SRTP: validate the header, account the packet for RTCP, route
 * telephone-events to the {@link TelephoneEventReceiver}, read the audio level, and hand audio packets on.
 * Everything else is classified and counted, never thrown or logged. One instance per call, on the receive thread.
 */
public final class InboundRtp {
    private final int audioPayloadType;
    private final int telephoneEventPayloadType;
    private final int audioLevelExtensionId;
    private final RtcpSession rtcp;
    private final TelephoneEventReceiver dtmf;
    private final RtpPacket packet = new RtpPacket();
    private int lastAudioLevel = -1;

    private final LongAdder audio = new LongAdder(), events = new LongAdder(), malformed = new LongAdder(),
            unknownPayloadType = new LongAdder(), notCounted = new LongAdder();

    /**
     * @param telephoneEventPayloadType -1 when not negotiated
     * @param audioLevelExtensionId     -1 when not negotiated
     * @param dtmf                      null when telephone-event was not negotiated
     */
    public InboundRtp(int audioPayloadType, int telephoneEventPayloadType, int audioLevelExtensionId,
            RtcpSession rtcp, TelephoneEventReceiver dtmf) {
        this.audioPayloadType = audioPayloadType;
        this.telephoneEventPayloadType = telephoneEventPayloadType;
        this.audioLevelExtensionId = audioLevelExtensionId;
        this.rtcp = rtcp;
        this.dtmf = dtmf;
    }

    /**
     * Takes one decrypted RTP packet.
     *
     * @return the view of an audio packet to decode (valid until the next call), or null when the packet was
     *         consumed (an event) or dropped (malformed, unknown payload type, a source on probation)
     */
    public RtpPacket accept(byte[] buf, int off, int len, long nowNanos) {
        if (!packet.wrap(buf, off, len)) {
            malformed.increment();
            return null;
        }
        int pt = packet.payloadType();
        boolean isAudio = pt == audioPayloadType;
        boolean isEvent = pt == telephoneEventPayloadType && dtmf != null;
        if (!isAudio && !isEvent) {
            unknownPayloadType.increment();
            return null;
        }
        // Events share the stream's sequence numbers (RFC 4733 §2.1), so both count for loss and jitter.
        boolean counted = rtcp.onRtp(packet, nowNanos);
        if (dtmf != null && dtmf.inEvent()) {
            // Ends an event whose E packets were all lost once its packets have stopped; done here, on the receive
            // thread, so the receiver needs no lock (audio, or DTX at least every 400 ms, keeps arriving).
            dtmf.poll(nowNanos);
        }
        if (isEvent) {
            // Events are delivered even on probation: a digit must not be lost to the first two packets.
            events.increment();
            dtmf.onPacket(packet, nowNanos);
            return null;
        }
        if (!counted) {
            notCounted.increment(); // A.1: not yet a valid source, or a jump not yet confirmed; 20 ms lost at most
            return null;
        }
        audio.increment();
        if (audioLevelExtensionId > 0) {
            lastAudioLevel = packet.audioLevel(audioLevelExtensionId);
        }
        return packet;
    }

    /** The packed RFC 6464 level of the last audio packet ({@link AudioLevel}), -1 if none carried one. */
    public int lastAudioLevel() {
        return lastAudioLevel;
    }

    public Stats stats() {
        return new Stats(audio.sum(), events.sum(), malformed.sum(), unknownPayloadType.sum(), notCounted.sum());
    }

    /**
     * @param notCounted audio packets A.1 did not count yet (probation, an unconfirmed sequence jump)
     */
    public record Stats(long audio, long events, long malformed, long unknownPayloadType, long notCounted) {}
}
