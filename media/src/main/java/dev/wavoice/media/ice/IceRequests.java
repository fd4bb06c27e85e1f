package dev.wavoice.media.ice;

import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import java.net.InetSocketAddress;

/** Answering the peer's checks (RFC 8445 §7.3); runs with the agent's lock held. */
final class IceRequests {
    private IceRequests() {
    }

    static void handle(IceAgent agent, StunMessage m, byte[] buf, int off, InetSocketAddress from, long now) {
        IceCounters counters = agent.counters;
        IceState state = agent.state;
        if (state == IceState.FAILED || state == IceState.CLOSED) {
            return; // RFC 7675 §5.1: once consent is gone we stop answering, so the peer notices too
        }
        String username = m.username();
        if (username == null || !m.hasIntegrity()) {
            counters.malformed++; // §7.3: a check without USERNAME and MESSAGE-INTEGRITY is a bad request
            return;
        }
        int colon = username.indexOf(':');
        String remoteUfrag = agent.remoteUfrag;
        if (colon < 0 || !username.substring(0, colon).equals(agent.local.ufrag())
                || remoteUfrag != null && !username.substring(colon + 1).equals(remoteUfrag)) {
            counters.unknownUsername++;
            return;
        }
        if (!agent.localKey.verify(buf, off, m)) {
            counters.badIntegrity++;
            return;
        }
        if (!resolveRoleConflict(agent, m, from)) {
            return;
        }
        byte[] response = IceMessages.success(m, from, agent.localKey);
        agent.route(from);
        agent.sender.send(response, 0, response.length, from);
        counters.requestsAnswered++;

        CheckPair pair = agent.checkList.find(from);
        if (pair == null) {
            StunAttribute.Priority priority = m.get(StunAttribute.Priority.class);
            pair = agent.learnPeerReflexive(from, priority == null ? 0 : priority.value());
            if (pair == null) {
                return; // no base of that address family, or the check list is full
            }
        }
        // §7.3.1.4: a triggered check, so the pair becomes valid in our direction too.
        if (pair.state == CheckPair.State.WAITING || pair.state == CheckPair.State.FAILED) {
            pair.state = CheckPair.State.WAITING;
            agent.checkList.trigger(pair);
        }
        // §7.3.1.5: the controlling peer nominated this pair.
        if (m.has(StunAttribute.UseCandidate.class) && agent.role == IceRole.CONTROLLED) {
            pair.nominatedByPeer = true;
            if (pair.state == CheckPair.State.SUCCEEDED) {
                agent.select(pair, now);
            }
        }
    }

    /**
     * RFC 8445 §7.3.1.1. Returns false when we answered 487 and the request is done; true to go on (possibly
     * after switching our own role).
     */
    private static boolean resolveRoleConflict(IceAgent agent, StunMessage m, InetSocketAddress from) {
        StunAttribute.IceControlling controlling = m.get(StunAttribute.IceControlling.class);
        StunAttribute.IceControlled controlled = m.get(StunAttribute.IceControlled.class);
        IceRole role = agent.role;
        long ours = agent.tieBreaker;
        if (role == IceRole.CONTROLLING && controlling != null) {
            agent.counters.roleConflicts++;
            if (Long.compareUnsigned(ours, controlling.tieBreaker()) >= 0) {
                reject(agent, m, from);
                return false;
            }
            agent.switchRole(IceRole.CONTROLLED, "the peer is controlling with a larger tie-breaker");
        } else if (role == IceRole.CONTROLLED && controlled != null) {
            agent.counters.roleConflicts++;
            if (Long.compareUnsigned(ours, controlled.tieBreaker()) >= 0) {
                agent.switchRole(IceRole.CONTROLLING, "the peer is controlled and our tie-breaker is larger");
            } else {
                reject(agent, m, from);
                return false;
            }
        }
        return true;
    }

    private static void reject(IceAgent agent, StunMessage m, InetSocketAddress from) {
        byte[] error = IceMessages.roleConflict(m, agent.localKey);
        agent.sender.send(error, 0, error.length, from);
    }
}
