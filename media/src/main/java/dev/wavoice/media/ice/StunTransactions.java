package dev.wavoice.media.ice;

import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Our outstanding Binding requests, with RFC 8489 §6.2.1 retransmission (RTO doubling, capped). */
final class StunTransactions {
    enum Kind { CHECK, CONSENT }

    static final class Transaction {
        final TransactionId id;
        final Kind kind;
        final CheckPair pair;
        final InetSocketAddress destination;
        final byte[] request;
        final boolean useCandidate;
        final IceRole role;
        long deadline;
        long rto;
        int retransmissionsLeft;

        Transaction(TransactionId id, Kind kind, CheckPair pair, byte[] request, boolean useCandidate, IceRole role,
                    long now, long rto, int retransmissions) {
            this.id = id;
            this.kind = kind;
            this.pair = pair;
            this.destination = pair.remote.address();
            this.request = request;
            this.useCandidate = useCandidate;
            this.role = role;
            this.rto = rto;
            this.deadline = now + rto;
            this.retransmissionsLeft = retransmissions;
        }
    }

    /** A bound on state a peer could make us hold; far above what pacing at Ta produces. */
    static final int MAX_OPEN = 256;

    /**
     * A handful at a time (one consent check once connected), so a list searched in order beats a map, and walking
     * it by index allocates no iterator on the ticker thread.
     */
    private final List<Transaction> open = new ArrayList<>();

    boolean add(Transaction t) {
        if (open.size() >= MAX_OPEN) {
            return false;
        }
        open.add(t);
        return true;
    }

    Transaction get(TransactionId id) {
        for (int i = 0; i < open.size(); i++) {
            Transaction t = open.get(i);
            if (t.id.equals(id)) {
                return t;
            }
        }
        return null;
    }

    void remove(TransactionId id) {
        for (int i = 0; i < open.size(); i++) {
            if (open.get(i).id.equals(id)) {
                open.remove(i);
                return;
            }
        }
    }

    boolean hasOpen(CheckPair pair) {
        for (int i = 0; i < open.size(); i++) {
            if (open.get(i).pair == pair) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        open.clear();
    }

    int size() {
        return open.size();
    }

    /** The earliest retransmission or expiry among the open transactions; only meaningful when {@link #size()} > 0. */
    long earliestDeadline() {
        long earliest = open.getFirst().deadline;
        for (int i = 1; i < open.size(); i++) {
            long d = open.get(i).deadline;
            if (d - earliest < 0) {
                earliest = d;
            }
        }
        return earliest;
    }

    /**
     * Retransmits what is due: adds it to {@code toResend}, and the transactions that ran out of retransmissions
     * (removed from the open ones) to {@code expired}. {@code maxRto} caps the doubling. Both lists are the
     * caller's, reused, so an idle tick allocates nothing.
     */
    void due(long now, long maxRto, List<Transaction> toResend, List<Transaction> expired) {
        for (int i = 0; i < open.size(); i++) {
            Transaction t = open.get(i);
            if (now - t.deadline < 0) {
                continue;
            }
            if (t.retransmissionsLeft > 0) {
                t.retransmissionsLeft--;
                t.rto = Math.min(t.rto * 2, maxRto);
                t.deadline = now + t.rto;
                toResend.add(t);
            } else {
                open.remove(i--);
                expired.add(t);
            }
        }
    }
}
