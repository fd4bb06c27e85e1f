package dev.wavoice.media.ice;

/** A local/remote candidate pair, as reported when it is selected. */
public record CandidatePair(IceCandidate local, IceCandidate remote) {

    /** RFC 8445 §6.1.2.3: G is the controlling agent's candidate priority, D the controlled agent's. */
    public static long priority(long controlling, long controlled) {
        // Candidate priorities are < 2^31 (RFC 8445 §5.1.2.1); clamp a peer's oversized value so this cannot overflow.
        controlling = Math.min(controlling, 0x7FFFFFFFL);
        controlled = Math.min(controlled, 0x7FFFFFFFL);
        return (Math.min(controlling, controlled) << 32) + 2 * Math.max(controlling, controlled)
                + (controlling > controlled ? 1 : 0);
    }

    @Override
    public String toString() {
        return local.type().sdpName() + " " + local.address() + " <-> " + remote.type().sdpName() + " " + remote.address();
    }
}
