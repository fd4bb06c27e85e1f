package dev.wavoice.media.ice;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * The check list of our one component (RFC 8445 §6.1.2): pairs ordered by priority, plus the triggered-check
 * queue (§7.3.1.4) that goes first. With a single component and data stream every pair starts Waiting:
 * freezing (§6.1.2.6) only orders checks across streams that share foundations, which we do not have.
 */
final class CheckList {
    private static final Comparator<CheckPair> BY_PRIORITY =
            Comparator.comparingLong((CheckPair p) -> p.priority).reversed();

    /** RFC 8445 §6.1.2.5 suggests a limit (100) so a hostile peer cannot make us check forever. */
    static final int MAX_PAIRS = 100;

    private final List<CheckPair> pairs = new ArrayList<>();
    private final Deque<CheckPair> triggered = new ArrayDeque<>();

    List<CheckPair> pairs() {
        return pairs;
    }

    CheckPair find(InetSocketAddress remote) {
        for (CheckPair p : pairs) {
            if (p.remote.address().equals(remote)) {
                return p;
            }
        }
        return null;
    }

    /** Adds a pair unless its remote address is already paired (§6.1.2.4 redundancy pruning); returns the pair. */
    CheckPair add(IceCandidate local, IceCandidate remote, IceRole role) {
        CheckPair existing = find(remote.address());
        if (existing != null) {
            return existing;
        }
        if (pairs.size() >= MAX_PAIRS) {
            return null;
        }
        CheckPair pair = new CheckPair(local, remote, role);
        pairs.add(pair);
        pairs.sort(BY_PRIORITY);
        return pair;
    }

    void trigger(CheckPair pair) {
        if (!triggered.contains(pair)) {
            triggered.addLast(pair);
        }
    }

    /** The next pair to check: a triggered one, else the highest-priority Waiting pair (§6.1.4.2). */
    CheckPair next() {
        CheckPair p;
        while ((p = triggered.pollFirst()) != null) {
            if (p.state == CheckPair.State.WAITING) { // it may have been checked in order meanwhile
                return p;
            }
        }
        for (CheckPair candidate : pairs) {
            if (candidate.state == CheckPair.State.WAITING) {
                return candidate;
            }
        }
        return null;
    }

    void reprioritize(IceRole role) {
        for (CheckPair p : pairs) {
            p.updatePriority(role);
        }
        pairs.sort(BY_PRIORITY);
    }

    /** The highest-priority pair whose check succeeded (a valid pair, §7.2.5.3.2), or null. */
    CheckPair bestValid() {
        for (CheckPair p : pairs) {
            if (p.state == CheckPair.State.SUCCEEDED) {
                return p;
            }
        }
        return null;
    }

    /** Whether a pair ranked above {@code pair} may still succeed. */
    boolean betterPending(CheckPair pair) {
        for (CheckPair p : pairs) {
            if (p == pair) {
                return false;
            }
            if (p.state == CheckPair.State.WAITING || p.state == CheckPair.State.IN_PROGRESS) {
                return true;
            }
        }
        return false;
    }
}
