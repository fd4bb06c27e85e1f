package dev.wavoice.media.ice;

import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

    private final Map<TransactionId, Transaction> open = new HashMap<>();

    boolean add(Transaction t) {
        if (open.size() >= MAX_OPEN) {
            return false;
        }
        open.put(t.id, t);
        return true;
    }

    Transaction get(TransactionId id) {
        return open.get(id);
    }

    void remove(TransactionId id) {
        open.remove(id);
    }

    boolean hasOpen(CheckPair pair) {
        for (Transaction t : open.values()) {
            if (t.pair == pair) {
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

    /**
     * Retransmits what is due and returns the transactions that ran out of retransmissions (already
     * removed). {@code maxRto} caps the doubling.
     */
    List<Transaction> due(long now, long maxRto, List<Transaction> toResend) {
        List<Transaction> expired = null;
        for (Iterator<Transaction> it = open.values().iterator(); it.hasNext(); ) {
            Transaction t = it.next();
            if (now - t.deadline < 0) {
                continue;
            }
            if (t.retransmissionsLeft > 0) {
                t.retransmissionsLeft--;
                t.rto = Math.min(t.rto * 2, maxRto);
                t.deadline = now + t.rto;
                toResend.add(t);
            } else {
                it.remove();
                if (expired == null) {
                    expired = new ArrayList<>(2);
                }
                expired.add(t);
            }
        }
        return expired == null ? List.of() : expired;
    }
}
