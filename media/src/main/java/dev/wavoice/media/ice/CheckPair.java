package dev.wavoice.media.ice;

/** A pair on the check list with its RFC 8445 §6.1.2.6 state. Mutable; confined to its agent's lock. */
final class CheckPair {
    enum State { WAITING, IN_PROGRESS, SUCCEEDED, FAILED }

    final IceCandidate local;
    final IceCandidate remote;
    long priority;
    State state = State.WAITING;
    /** The peer sent USE-CANDIDATE on this pair (we are controlled, RFC 8445 §7.3.1.5). */
    boolean nominatedByPeer;
    /** We sent a check with USE-CANDIDATE on it and await the answer (regular nomination, §8.1.1). */
    boolean nominating;

    CheckPair(IceCandidate local, IceCandidate remote, IceRole role) {
        this.local = local;
        this.remote = remote;
        updatePriority(role);
    }

    void updatePriority(IceRole role) {
        priority = role == IceRole.CONTROLLING
                ? CandidatePair.priority(local.priority(), remote.priority())
                : CandidatePair.priority(remote.priority(), local.priority());
    }

    CandidatePair toPair() {
        return new CandidatePair(local, remote);
    }

    @Override
    public String toString() {
        return toPair() + " " + state;
    }
}
