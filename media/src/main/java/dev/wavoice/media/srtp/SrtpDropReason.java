package dev.wavoice.media.srtp;

/** Why protect/unprotect refused a packet; each has its own counter in {@link SrtpStats}. */
public enum SrtpDropReason {
    /** Too short, wrong RTP version, or header longer than the packet. */
    MALFORMED,
    /** The caller's buffer has no room for the tag (protect only). */
    NO_ROOM,
    /** Authentication tag did not verify: forged, corrupted, or keyed differently. */
    AUTH_FAILED,
    /** Index already seen inside the replay window (RFC 3711 §3.3.2). */
    REPLAYED,
    /** Index older than the replay window reaches. */
    TOO_OLD,
    /** A new SSRC arrived after the context's stream limit was reached. */
    TOO_MANY_STREAMS,
    /** SRTCP index space (2^31) or ROC space exhausted: the keys must be renegotiated. */
    INDEX_EXHAUSTED
}
