package dev.wavoice.media.rtp;

import java.util.random.RandomGenerator;

/**
 * Our one outgoing RTP stream: the SSRC, the sequence numbers audio and RFC 4733 events share (RFC 4733 §2.1:
 * events are just another payload type of the same stream), the ssrc-audio-level element when negotiated, and
 * the sender counts and timestamp mapping an SR needs (RFC 3550 §6.4.1). Used by one thread at a time (the
 * pacer's); the counters it publishes for RTCP are read under the session's lock.
 */
public final class OutboundRtp {
    private final long ssrc;
    private final int clockRate;
    private final int audioLevelExtensionId;
    private int nextSequence;

    private volatile long packetCount;
    private volatile long octetCount;
    private volatile long lastTimestamp = -1;
    private volatile long lastTimestampNanos;

    /**
     * @param audioLevelExtensionId negotiated id of ssrc-audio-level (1..255), or 0 to send none
     */
    public OutboundRtp(long ssrc, int clockRate, int initialSequence, int audioLevelExtensionId) {
        if (audioLevelExtensionId < 0 || audioLevelExtensionId > 255) {
            throw new IllegalArgumentException("audio-level extension id must be 1..255, or 0 for none: "
                    + audioLevelExtensionId);
        }
        this.ssrc = ssrc & 0xFFFF_FFFFL;
        this.clockRate = clockRate;
        this.nextSequence = initialSequence & 0xFFFF;
        this.audioLevelExtensionId = audioLevelExtensionId;
    }

    /**
     * §5.1: the initial sequence number is random, so known-plaintext attacks on SRTP gain nothing. It is drawn from
     * the lower half only, as libwebrtc does: an SRTP receiver starts a new stream at rollover counter 0 (RFC 3711
     * §3.3.1), so if our first packets are lost (the peer's DTLS not yet done) and the sequence wrapped meanwhile,
     * the peer could authenticate none of our audio for the rest of the call.
     */
    public static OutboundRtp create(long ssrc, int clockRate, int audioLevelExtensionId, RandomGenerator random) {
        return new OutboundRtp(ssrc, clockRate, random.nextInt(1 << 15), audioLevelExtensionId);
    }

    /** Where the payload starts after {@link #writeHeader}: 12, or 20 with the audio-level element. */
    public int headerLength() {
        return audioLevelExtensionId == 0 ? RtpHeaderWriter.BASIC_HEADER : RtpHeaderWriter.HEADER_WITH_AUDIO_LEVEL;
    }

    /**
     * Writes the header of the next packet at {@code buf[off]} (the payload, {@code payloadLength} bytes, goes at
     * {@code off + headerLength()}), takes the next sequence number and counts the packet for the SR.
     *
     * @param packedAudioLevel {@link AudioLevel#pack} output; ignored when no extension was negotiated
     * @return the header length, or -1 when it does not fit (no sequence number is used then)
     */
    public int writeHeader(byte[] buf, int off, int payloadType, boolean marker, long timestamp,
            int packedAudioLevel, int payloadLength, long nowNanos) {
        int n = audioLevelExtensionId == 0
                ? RtpHeaderWriter.write(buf, off, marker, payloadType, nextSequence, timestamp, ssrc)
                : RtpHeaderWriter.writeWithAudioLevel(buf, off, marker, payloadType, nextSequence, timestamp, ssrc,
                        audioLevelExtensionId, packedAudioLevel);
        if (n < 0) {
            return -1;
        }
        nextSequence = (nextSequence + 1) & 0xFFFF;
        packetCount++;
        octetCount += payloadLength;
        long ts = timestamp & 0xFFFF_FFFFL;
        // Only a timestamp that moves forward anchors the SR mapping: RFC 4733 packets repeat an older one.
        if (lastTimestamp < 0 || (int) (ts - lastTimestamp) > 0) {
            lastTimestampNanos = nowNanos;
            lastTimestamp = ts;
        }
        return n;
    }

    /** §6.4.1 "RTP timestamp": the RTP time of {@code nowNanos} on our media timeline, extrapolated. */
    public long rtpTimestampAt(long nowNanos) {
        long last = lastTimestamp;
        if (last < 0) {
            return 0;
        }
        long elapsedMicros = (nowNanos - lastTimestampNanos) / 1000;
        return (last + elapsedMicros * clockRate / 1_000_000) & 0xFFFF_FFFFL;
    }

    public long ssrc() {
        return ssrc;
    }

    public int clockRate() {
        return clockRate;
    }

    /** The sequence number the next packet will carry. */
    public int nextSequence() {
        return nextSequence;
    }

    public long packetCount() {
        return packetCount;
    }

    /** Payload octets sent (§6.4.1: headers and padding excluded). */
    public long octetCount() {
        return octetCount;
    }

    public boolean audioLevelEnabled() {
        return audioLevelExtensionId != 0;
    }
}
