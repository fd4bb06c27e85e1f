package dev.wavoice.media.srtp;

/**
 * Immutable settings of an {@link SrtpContext}.
 *
 * @param replayWindow  RTP replay window in packets (RFC 3711 §3.3.2 asks for at least 64;
 *                      128 tolerates the reordering seen on mobile links)
 * @param rtcpReplayWindow SRTCP replay window in packets
 * @param maxStreams    SSRCs one context tracks; bounds the memory a peer can make us spend
 */
public record SrtpOptions(int replayWindow, int rtcpReplayWindow, int maxStreams) {

    public SrtpOptions {
        if (replayWindow < 64 || rtcpReplayWindow < 64) {
            throw new IllegalArgumentException("replay windows must be at least 64 (RFC 3711 §3.3.2)");
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be positive");
        }
    }

    public static SrtpOptions defaults() {
        return new SrtpOptions(128, 128, 16);
    }

    public SrtpOptions withReplayWindow(int packets) {
        return new SrtpOptions(packets, rtcpReplayWindow, maxStreams);
    }

    public SrtpOptions withMaxStreams(int streams) {
        return new SrtpOptions(replayWindow, rtcpReplayWindow, streams);
    }
}
