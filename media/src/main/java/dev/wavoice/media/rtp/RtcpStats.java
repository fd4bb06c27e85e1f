package dev.wavoice.media.rtp;

/**
 * A call's RTCP picture, both directions.
 *
 * @param rttMicros           last round-trip time from a report block about our stream (§6.4.1), -1 if unknown
 * @param remoteFractionLost  what the peer last reported losing of our stream, /256
 * @param remoteCumulativeLost what the peer last reported as lost in total
 * @param remoteJitter        the peer's jitter figure for our stream, in our timestamp units
 * @param sent                compound reports we wrote
 * @param received            compound packets that parsed
 * @param malformed           compound packets rejected by {@link RtcpReader#wrap}
 * @param byeReceived         the peer said BYE for a source we know
 * @param droppedSources      RTP from sources past the per-call limit (not tracked)
 */
public record RtcpStats(long rttMicros, int remoteFractionLost, int remoteCumulativeLost, long remoteJitter,
                        long sent, long received, long malformed, boolean byeReceived, long droppedSources) {}
