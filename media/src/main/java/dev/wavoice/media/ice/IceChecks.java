package dev.wavoice.media.ice;

import dev.wavoice.media.stun.TransactionId;
import java.util.List;

/** Our outgoing checks: sending, retransmitting and nominating (RFC 8445 §7.2, §8.1.1); lock held. */
final class IceChecks {
    private IceChecks() {
    }

    static void send(IceAgent agent, CheckPair pair, boolean useCandidate, StunTransactions.Kind kind, long now) {
        TransactionId tid = TransactionId.random(agent.random);
        byte[] request = IceMessages.check(tid, agent.remoteUfrag, agent.local.ufrag(),
                IceMessages.prflxPriority(pair.local), agent.role, agent.tieBreaker, useCandidate, agent.remoteKey);
        boolean isCheck = kind == StunTransactions.Kind.CHECK;
        long rto = isCheck ? agent.config.initialRto().toNanos() : 2 * agent.config.consentInterval().toNanos();
        if (!agent.transactions.add(new StunTransactions.Transaction(tid, kind, pair, request, useCandidate,
                agent.role, now, rto, isCheck ? agent.config.maxRetransmissions() : 0))) {
            return;
        }
        if (isCheck && pair.state != CheckPair.State.SUCCEEDED) {
            pair.state = CheckPair.State.IN_PROGRESS;
        }
        agent.route(pair.remote.address());
        agent.sender.send(request, 0, request.length, pair.remote.address());
        if (isCheck) {
            agent.counters.checksSent++;
        } else {
            agent.counters.consentRequestsSent++;
        }
    }

    /**
     * Regular nomination (§8.1.1): once a pair is valid and no better pair is still pending (or the
     * nomination delay ran out), check the best valid pair again with USE-CANDIDATE.
     */
    static void nominate(IceAgent agent, long now) {
        for (CheckPair p : agent.checkList.pairs()) {
            if (p.nominating) {
                return;
            }
        }
        CheckPair best = agent.checkList.bestValid();
        if (best == null || agent.checkList.betterPending(best)
                && now - agent.firstValidAt < agent.config.nominationDelay().toNanos()) {
            return;
        }
        best.nominating = true;
        send(agent, best, true, StunTransactions.Kind.CHECK, now);
    }

    /** RFC 8489 §6.2.1 retransmissions; a check that runs out fails its pair (§7.2.5.2.4 timeout). */
    static void retransmit(IceAgent agent, long now) {
        List<StunTransactions.Transaction> resend = agent.resendScratch, expired = agent.expiredScratch;
        resend.clear();
        expired.clear();
        agent.transactions.due(now, agent.config.maxRto().toNanos(), resend, expired);
        for (int i = 0; i < expired.size(); i++) {
            StunTransactions.Transaction t = expired.get(i);
            if (t.kind == StunTransactions.Kind.CHECK) {
                t.pair.nominating = false;
                if (t.pair.state != CheckPair.State.SUCCEEDED) {
                    t.pair.state = CheckPair.State.FAILED;
                }
            }
            agent.releaseRoute(t.pair);
        }
        for (int i = 0; i < resend.size(); i++) {
            StunTransactions.Transaction t = resend.get(i);
            agent.sender.send(t.request, 0, t.request.length, t.destination);
            agent.counters.retransmissions++;
        }
        resend.clear(); // the scratch lists live as long as the agent: hold on to no transaction
        expired.clear();
    }
}
