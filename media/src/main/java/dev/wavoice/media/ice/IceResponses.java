package dev.wavoice.media.ice;

import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunClass;
import dev.wavoice.media.stun.StunMessage;
import java.net.InetSocketAddress;

/** Answers to our checks (RFC 8445 §7.2.5) and consent checks (RFC 7675); runs with the agent's lock held. */
final class IceResponses {
    private IceResponses() {
    }

    static void handle(IceAgent agent, StunMessage m, byte[] buf, int off, InetSocketAddress from, long now) {
        StunTransactions.Transaction tx = agent.transactions.get(m.transactionId());
        if (tx == null) {
            agent.counters.unmatchedResponses++;
            return;
        }
        if (!agent.remoteKey.verify(buf, off, m)) {
            agent.counters.badIntegrity++; // keep the transaction open: the genuine answer may still come
            return;
        }
        agent.transactions.remove(tx.id);
        CheckPair pair = tx.pair;
        try {
            onAuthenticated(agent, m, tx, pair, from, now);
        } finally {
            agent.releaseRoute(pair);
        }
    }

    private static void onAuthenticated(IceAgent agent, StunMessage m, StunTransactions.Transaction tx,
                                        CheckPair pair, InetSocketAddress from, long now) {
        if (!from.equals(tx.destination)) {
            // §7.2.5.2.1: an answer from another address means the path is not symmetric.
            if (tx.kind == StunTransactions.Kind.CHECK && pair.state != CheckPair.State.SUCCEEDED) {
                pair.state = CheckPair.State.FAILED;
            }
            return;
        }
        if (tx.kind == StunTransactions.Kind.CONSENT) {
            if (m.stunClass() == StunClass.SUCCESS_RESPONSE) {
                agent.consentGranted(now);
            }
            return;
        }
        pair.nominating = false;
        if (m.stunClass() == StunClass.ERROR_RESPONSE) {
            onError(agent, m, tx, pair);
            return;
        }
        pair.state = CheckPair.State.SUCCEEDED;
        agent.markValid(now);
        IceRole role = agent.role;
        if (tx.useCandidate && tx.role == IceRole.CONTROLLING && role == IceRole.CONTROLLING) {
            agent.select(pair, now); // §8.1.1 / §7.2.5.3.4: our nomination was confirmed
            agent.nominatedLater(pair, now);
        } else if (role == IceRole.CONTROLLED && pair.nominatedByPeer) {
            agent.select(pair, now); // §7.3.1.5: the peer nominated it and now our check works too
        }
    }

    private static void onError(IceAgent agent, StunMessage m, StunTransactions.Transaction tx, CheckPair pair) {
        StunAttribute.ErrorCode error = m.get(StunAttribute.ErrorCode.class);
        if (error != null && error.code() == StunAttribute.ErrorCode.ROLE_CONFLICT) {
            agent.counters.roleConflicts++;
            // §7.2.5.1: switch only if we still claim the role the request claimed, then retry the pair.
            if (tx.role == agent.role) {
                agent.switchRole(agent.role.flip(), "the peer answered 487 Role Conflict");
            }
            if (pair.state != CheckPair.State.SUCCEEDED) {
                pair.state = CheckPair.State.WAITING;
            }
            agent.checkList.trigger(pair);
        } else if (pair.state != CheckPair.State.SUCCEEDED) {
            pair.state = CheckPair.State.FAILED;
        }
    }
}
