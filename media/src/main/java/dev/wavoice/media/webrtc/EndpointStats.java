package dev.wavoice.media.webrtc;

/**
 * One endpoint's packet counters. Drops are by reason, so a bad call can be explained from a stats dump.
 *
 * @param droppedBeforeKeys media that arrived before DTLS finished (normal for a few packets)
 * @param droppedSrtp       failed SRTP/SRTCP authentication, replays, malformed packets
 * @param notSent           media the caller offered before the path was up or after it closed
 */
public record EndpointStats(long rtpReceived, long rtcpReceived, long rtpSent, long rtcpSent,
                            long droppedBeforeKeys, long droppedSrtp, long notSent) {}
