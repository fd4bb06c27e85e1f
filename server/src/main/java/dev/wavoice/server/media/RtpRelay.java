package dev.wavoice.server.media;

import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtpPacket;
import java.util.random.RandomGenerator;

/**
 * One direction of an Opus relay between two WebRTC legs: packets from whichever source is current are re-stamped
 * into the receiver's one stream. The payload is copied as it is (no decoding); the header is written anew: the
 * receiving leg's SSRC and payload type, a sequence number that continues whatever the source (from
 * {@link OutboundRtp}, which also counts for the receiving leg's sender reports), a timestamp mapped from the
 * source's so that its spacing is kept, and the receiving leg's audio-level element when it negotiated one.
 *
 * <p>When the source changes (a replaced agent leg, a sender restart: a new SSRC), the timestamp mapping is rebased
 * so the receiver's timeline continues by the wall time that passed, and the first packet carries the marker bit (a
 * new talkspurt, RFC 3551 §4.1), so the receiver's jitter buffer resynchronises instead of waiting or discarding.
 *
 * <p>Used by one thread at a time (the receive thread of the source leg); allocates nothing per packet.
 */
final class RtpRelay {
    /** Without the source's audio level, a payload this small is taken for silence or comfort noise. */
    static final int VOICED_PAYLOAD_BYTES = 20;
    private static final int OPUS_CLOCK = 48_000;

    private final OutboundRtp out;
    private final int outPayloadType;
    private long sourceSsrc = -1;
    private long timestampOffset;
    private long lastOutTimestamp = -1;
    private long lastOutNanos;
    private long relayed, rebased;

    /**
     * @param out            the receiver's stream (our SSRC on its leg, and its sequence numbers)
     * @param outPayloadType the Opus payload type the receiving leg negotiated
     * @param random         picks the first timestamp (RFC 3550 §5.1: random, like the sequence number)
     */
    RtpRelay(OutboundRtp out, int outPayloadType, RandomGenerator random) {
        this.out = out;
        this.outPayloadType = outPayloadType;
        this.timestampOffset = random.nextInt() & 0xFFFF_FFFFL;
    }

    /**
     * Writes the re-stamped packet into {@code dst} at 0 and returns its length, or -1 when it does not fit.
     *
     * @param in           an Opus packet of the source leg (its payload type already checked by the caller)
     * @param inLevelId    the source leg's audio-level extension id, or 0 when it has none
     */
    int relay(RtpPacket in, int inLevelId, byte[] dst, long nowNanos) {
        long ssrc = in.ssrc();
        boolean marker = in.marker();
        long inTs = in.timestamp();
        if (ssrc != sourceSsrc) {
            if (lastOutTimestamp >= 0) {
                long elapsed = (nowNanos - lastOutNanos) / 1_000 * OPUS_CLOCK / 1_000_000;
                timestampOffset = lastOutTimestamp + Math.max(1, elapsed) - inTs;
                rebased++;
            }
            sourceSsrc = ssrc;
            marker = true;
        }
        long outTs = (inTs + timestampOffset) & 0xFFFF_FFFFL;
        int payloadLength = in.payloadLength();
        int level = inLevelId > 0 ? in.audioLevel(inLevelId) : -1;
        if (level < 0) {
            level = AudioLevel.pack(payloadLength > VOICED_PAYLOAD_BYTES ? 40 : AudioLevel.SILENCE,
                    payloadLength > VOICED_PAYLOAD_BYTES);
        }
        int n = emit(marker, outTs, level, in.buffer(), in.payloadOffset(), payloadLength, dst, nowNanos);
        if (n > 0) {
            relayed++;
        }
        return n;
    }

    /**
     * Writes a packet of our own (an apology tone's Opus frame) into the same stream, 20 ms after the last one, so it
     * follows the relayed audio without a gap in sequence or time.
     */
    int own(byte[] opus, boolean first, byte[] dst, long nowNanos) {
        sourceSsrc = -1; // whatever comes next from a leg is a new source again
        long outTs = lastOutTimestamp < 0 ? timestampOffset : (lastOutTimestamp + OPUS_CLOCK / 50) & 0xFFFF_FFFFL;
        return emit(first, outTs, AudioLevel.pack(30, true), opus, 0, opus.length, dst, nowNanos);
    }

    /** Our header, then the payload, into {@code dst}; the timeline moves on. -1 when it does not fit. */
    private int emit(boolean marker, long outTs, int level, byte[] payload, int off, int len, byte[] dst,
            long nowNanos) {
        int header = out.writeHeader(dst, 0, outPayloadType, marker, outTs, level, len, nowNanos);
        if (header < 0 || header + len > dst.length) {
            return -1;
        }
        System.arraycopy(payload, off, dst, header, len);
        lastOutTimestamp = outTs;
        lastOutNanos = nowNanos;
        return header + len;
    }

    long relayed() {
        return relayed;
    }

    /** How often the source changed after the first one (replaced legs, restarts). */
    long rebased() {
        return rebased;
    }
}
