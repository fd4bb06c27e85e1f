package dev.wavoice.media.srtp;

/**
 * Per-SSRC cryptographic state inside one {@link SrtpContext}: rollover counter and highest
 * sequence number (RFC 3711 §3.3.1), replay windows, and the SRTCP index we send (§3.4).
 */
final class SrtpStream {
    final int ssrc;
    private boolean started;
    private long roc;
    private int highestSeq;
    final ReplayWindow rtpReplay;
    final ReplayWindow rtcpReplay;
    private int nextRtcpIndex;

    SrtpStream(int ssrc, int rtpWindow, int rtcpWindow) {
        this.ssrc = ssrc;
        this.rtpReplay = new ReplayWindow(rtpWindow);
        this.rtcpReplay = new ReplayWindow(rtcpWindow);
    }

    /**
     * The 48-bit packet index for {@code seq}, guessing the ROC as RFC 3711 Appendix A does:
     * a sequence number far behind the highest one belongs to the previous ROC, one far ahead
     * to the next. Returns -1 when the guess would be a ROC below zero (a packet from before
     * the stream began).
     */
    long estimateIndex(int seq) {
        if (!started) {
            return seq;
        }
        long v;
        if (highestSeq < 32768) {
            v = (seq - highestSeq > 32768) ? roc - 1 : roc;
        } else {
            v = (highestSeq - 32768 > seq) ? roc + 1 : roc;
        }
        if (v < 0 || v > 0xFFFF_FFFFL) {
            return -1;
        }
        return (v << 16) | seq;
    }

    /** Records an authenticated (or sent) index, RFC 3711 §3.3.1 update rule. */
    void update(long index) {
        long v = index >>> 16;
        int seq = (int) (index & 0xFFFF);
        if (!started) {
            started = true;
            roc = v;
            highestSeq = seq;
        } else if (v > roc) {
            roc = v;
            highestSeq = seq;
        } else if (v == roc && seq > highestSeq) {
            highestSeq = seq;
        }
    }

    long roc() { return roc; }

    /** Next SRTCP index to send; -1 once the 31-bit space is spent and the keys must change. */
    int takeRtcpIndex() {
        if (nextRtcpIndex < 0) {
            return -1;
        }
        return nextRtcpIndex++;
    }

    /** For tests and re-keying: continue from a known state (RFC 7714 vectors start mid-stream). */
    void resume(long roc, int highestSeq, int nextRtcpIndex) {
        this.started = true;
        this.roc = roc;
        this.highestSeq = highestSeq;
        this.nextRtcpIndex = nextRtcpIndex;
    }
}
