package dev.wavoice.media.ice;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full ICE agent (RFC 8445) for one component, with consent freshness (RFC 7675).
 *
 * <p>It owns no socket and no thread. Drive it with {@link #handleStun} for every STUN datagram addressed to it
 * and {@link #tick} at least every {@link IceConfig#checkInterval()} (an {@link IceTicker} does this for many
 * agents on one thread); it sends through a {@link DatagramSender}. All methods are safe to call from different
 * threads: one lock per agent, never a global one. Events go to the listener with that lock held, in order:
 * hand them off, do not block.
 *
 * <p>Toward an ICE-lite peer (WhatsApp) the agent is controlling and nominates aggressively: every check carries
 * USE-CANDIDATE and the first pair that answers is selected, since a lite peer never checks back. Toward a full
 * peer it uses regular nomination (§8.1.1) as controlling, or follows USE-CANDIDATE as controlled (§7.3.1.5).
 */
public final class IceAgent {
    private static final Logger log = LoggerFactory.getLogger(IceAgent.class);

    private final String id;
    private final IceConfig config;
    private final IceCredentials local;
    private final DatagramSender sender;
    private final Consumer<IceEvent> listener;
    private final RandomGenerator random;
    private final long tieBreaker;
    private final MessageIntegrity localKey;
    private final ReentrantLock lock = new ReentrantLock();
    private final CheckList checkList = new CheckList();
    private final StunTransactions transactions = new StunTransactions();
    private final List<IceCandidate> localCandidates = new ArrayList<>();
    private final List<IceCandidate> remoteCandidates = new ArrayList<>();
    private final Set<InetSocketAddress> routed = new HashSet<>();
    private final List<StunTransactions.Transaction> resend = new ArrayList<>();
    private final Counters counters = new Counters();

    private IceRole role;
    private IceState state = IceState.NEW;
    private String remoteUfrag;
    private MessageIntegrity remoteKey;
    private boolean remoteLite;
    private CheckPair selected;
    private long startedAt;
    private long nextCheckAt;
    private long firstValidAt;
    private boolean anyValid;
    private long lastConsentAt;
    private long nextConsentAt;

    /**
     * @param id     names the endpoint in logs
     * @param role   the initial role: controlling if we made the offer (RFC 8445 §6.1.1); forced to
     *               controlling when the peer turns out to be ICE-lite
     * @param random source of transaction ids and the tie-breaker; use a {@code SecureRandom} in production
     */
    public IceAgent(String id, IceConfig config, IceCredentials local, IceRole role, DatagramSender sender,
                    Consumer<IceEvent> listener, RandomGenerator random) {
        this.id = Objects.requireNonNull(id, "id");
        this.config = Objects.requireNonNull(config, "config");
        this.local = Objects.requireNonNull(local, "local");
        this.role = Objects.requireNonNull(role, "role");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.random = Objects.requireNonNull(random, "random");
        this.tieBreaker = random.nextLong();
        this.localKey = MessageIntegrity.shortTerm(local.pwd());
    }

    public void addLocalCandidate(IceCandidate candidate) {
        lock.lock();
        try {
            localCandidates.add(candidate);
            if (candidate.type() == CandidateType.HOST) {
                for (IceCandidate r : remoteCandidates) {
                    pair(candidate, r);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The peer's ICE credentials; an ICE-lite peer makes us controlling (RFC 8445 §6.1.1). */
    public void setRemoteCredentials(String ufrag, String pwd, boolean iceLite) {
        lock.lock();
        try {
            remoteUfrag = ufrag;
            remoteKey = MessageIntegrity.shortTerm(pwd);
            remoteLite = iceLite;
            if (iceLite && role != IceRole.CONTROLLING) {
                switchRole(IceRole.CONTROLLING, "the peer is ICE-lite");
            }
        } finally {
            lock.unlock();
        }
    }

    public void addRemoteCandidate(IceCandidate candidate) {
        lock.lock();
        try {
            if (checkList.find(candidate.address()) != null) {
                return;
            }
            remoteCandidates.add(candidate);
            IceCandidate base = baseFor(candidate);
            if (base != null) {
                pair(base, candidate);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Starts connectivity checks; the first goes out now. */
    public void start(long nowNanos) {
        lock.lock();
        try {
            if (state != IceState.NEW) {
                return;
            }
            state = IceState.CHECKING;
            startedAt = nowNanos;
            nextCheckAt = nowNanos;
            log.info("ice {} checking as {} ({} pairs, peer {})", id, role, checkList.pairs().size(),
                    remoteLite ? "ice-lite" : "full");
            listener.accept(new IceEvent.Checking());
            tick(nowNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Handles one STUN datagram from {@code from}. Never throws for bad input: it is counted in
     * {@link #stats()} and dropped. {@code buf} is only read during the call.
     */
    public void handleStun(byte[] buf, int off, int len, InetSocketAddress from, long nowNanos) {
        lock.lock();
        try {
            counters.stunReceived++;
            StunMessage m = StunMessage.parse(buf, off, len);
            if (m == null || m.method() != StunMessage.METHOD_BINDING) {
                counters.malformed++;
                return;
            }
            switch (m.stunClass()) {
                case REQUEST -> IceRequests.handle(this, m, buf, off, from, nowNanos);
                case SUCCESS_RESPONSE, ERROR_RESPONSE -> onResponse(m, buf, off, from, nowNanos);
                case INDICATION -> { } // RFC 8445 §11: keepalive indications need no answer
            }
        } finally {
            lock.unlock();
        }
    }

    /** Paces checks, retransmits, nominates, runs consent freshness and the timeouts. Cheap when idle. */
    public void tick(long nowNanos) {
        lock.lock();
        try {
            if (state == IceState.NEW || state == IceState.FAILED || state == IceState.CLOSED) {
                return;
            }
            retransmit(nowNanos);
            if (state == IceState.CHECKING) {
                if (nowNanos - startedAt >= config.failureTimeout().toNanos()) {
                    fail("no candidate pair worked within " + config.failureTimeout().toMillis() + " ms");
                    return;
                }
                if (remoteKey != null && nowNanos - nextCheckAt >= 0) {
                    CheckPair next = checkList.next();
                    if (next != null) {
                        sendCheck(next, remoteLite && role == IceRole.CONTROLLING, nowNanos);
                        nextCheckAt = nowNanos + config.checkInterval().toNanos();
                    }
                }
                if (role == IceRole.CONTROLLING && !remoteLite) {
                    nominate(nowNanos);
                }
            } else {
                consent(nowNanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the agent for good; releases its routes. */
    public void close() {
        lock.lock();
        try {
            if (state == IceState.CLOSED) {
                return;
            }
            state = IceState.CLOSED;
            transactions.clear();
            for (InetSocketAddress a : routed) {
                sender.unroute(a);
            }
            routed.clear();
            log.info("ice {} closed", id);
            listener.accept(new IceEvent.Closed());
        } finally {
            lock.unlock();
        }
    }

    public String id() {
        return id;
    }

    public IceCredentials localCredentials() {
        return local;
    }

    public long tieBreaker() {
        return tieBreaker;
    }

    public IceRole role() {
        lock.lock();
        try {
            return role;
        } finally {
            lock.unlock();
        }
    }

    public IceState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /** The selected pair, or null before {@link IceEvent.Connected}. */
    public CandidatePair selectedPair() {
        lock.lock();
        try {
            return selected == null ? null : selected.toPair();
        } finally {
            lock.unlock();
        }
    }

    public List<IceCandidate> localCandidates() {
        lock.lock();
        try {
            return List.copyOf(localCandidates);
        } finally {
            lock.unlock();
        }
    }

    public IceStats stats() {
        lock.lock();
        try {
            return counters.snapshot();
        } finally {
            lock.unlock();
        }
    }

    // ---- package-private: used by IceRequests with the lock held ----

    Counters counters() {
        return counters;
    }

    IceCredentials local() {
        return local;
    }

    String remoteUfrag() {
        return remoteUfrag;
    }

    MessageIntegrity localKey() {
        return localKey;
    }

    IceRole currentRole() {
        return role;
    }

    long tieBreakerValue() {
        return tieBreaker;
    }

    IceState currentState() {
        return state;
    }

    DatagramSender sender() {
        return sender;
    }

    CheckList checkList() {
        return checkList;
    }

    /** A peer-reflexive remote candidate learnt from a check (RFC 8445 §7.3.1.3), paired at once. */
    CheckPair learnPeerReflexive(InetSocketAddress from, long priority) {
        IceCandidate prflx = new IceCandidate(CandidateType.PEER_REFLEXIVE, from, priority,
                Integer.toUnsignedString(random.nextInt()), null);
        remoteCandidates.add(prflx);
        IceCandidate base = baseFor(prflx);
        return base == null ? null : pair(base, prflx);
    }

    void switchRole(IceRole newRole, String why) {
        role = newRole;
        checkList.reprioritize(role);
        log.info("ice {} switching to {}: {}", id, role, why);
    }

    void select(CheckPair pair, long now) {
        if (selected != null || state != IceState.CHECKING) {
            return;
        }
        selected = pair;
        state = IceState.CONNECTED;
        lastConsentAt = now;
        nextConsentAt = now + jittered(config.consentInterval().toNanos());
        // Other remote addresses no longer need our routes; on a shared port they may belong to another call.
        for (CheckPair p : checkList.pairs()) {
            if (p != pair && routed.remove(p.remote.address())) {
                sender.unroute(p.remote.address());
            }
        }
        log.info("ice {} connected as {} via {} after {} ms", id, role, pair.toPair(), (now - startedAt) / 1_000_000);
        listener.accept(new IceEvent.Connected(pair.toPair()));
    }

    void route(InetSocketAddress remote) {
        if (routed.add(remote)) {
            sender.route(remote);
        }
    }

    // ---- checks and responses ----

    private void sendCheck(CheckPair pair, boolean useCandidate, long now) {
        TransactionId tid = TransactionId.random(random);
        byte[] request = IceMessages.check(tid, remoteUfrag, local.ufrag(), IceMessages.prflxPriority(pair.local),
                role, tieBreaker, useCandidate, remoteKey);
        if (!transactions.add(new StunTransactions.Transaction(tid, StunTransactions.Kind.CHECK, pair, request,
                useCandidate, role, now, config.initialRto().toNanos(), config.maxRetransmissions()))) {
            return;
        }
        if (pair.state != CheckPair.State.SUCCEEDED) {
            pair.state = CheckPair.State.IN_PROGRESS;
        }
        route(pair.remote.address());
        sender.send(request, 0, request.length, pair.remote.address());
        counters.checksSent++;
    }

    private void onResponse(StunMessage m, byte[] buf, int off, InetSocketAddress from, long now) {
        StunTransactions.Transaction tx = transactions.get(m.transactionId());
        if (tx == null) {
            counters.unmatchedResponses++;
            return;
        }
        if (!remoteKey.verify(buf, off, m)) {
            counters.badIntegrity++; // keep the transaction: the genuine response may still come
            return;
        }
        transactions.remove(tx.id);
        CheckPair pair = tx.pair;
        if (!from.equals(tx.destination)) {
            // RFC 8445 §7.2.5.2.1: a response from elsewhere means the path is not symmetric.
            if (tx.kind == StunTransactions.Kind.CHECK && pair.state != CheckPair.State.SUCCEEDED) {
                pair.state = CheckPair.State.FAILED;
            }
            return;
        }
        if (tx.kind == StunTransactions.Kind.CONSENT) {
            if (m.stunClass() == dev.wavoice.media.stun.StunClass.SUCCESS_RESPONSE) {
                consentGranted(now);
            }
            return;
        }
        pair.nominating = false;
        if (m.stunClass() == dev.wavoice.media.stun.StunClass.ERROR_RESPONSE) {
            StunAttribute.ErrorCode error = m.get(StunAttribute.ErrorCode.class);
            if (error != null && error.code() == StunAttribute.ErrorCode.ROLE_CONFLICT) {
                counters.roleConflicts++;
                // RFC 8445 §7.2.5.1: switch only if we still have the role the request claimed, then retry.
                if (tx.role == role) {
                    switchRole(role.flip(), "the peer answered 487 Role Conflict");
                }
                if (pair.state != CheckPair.State.SUCCEEDED) {
                    pair.state = CheckPair.State.WAITING;
                }
                checkList.trigger(pair);
            } else if (pair.state != CheckPair.State.SUCCEEDED) {
                pair.state = CheckPair.State.FAILED;
            }
            return;
        }
        pair.state = CheckPair.State.SUCCEEDED;
        if (!anyValid) {
            anyValid = true;
            firstValidAt = now;
        }
        if (tx.useCandidate && tx.role == IceRole.CONTROLLING && role == IceRole.CONTROLLING) {
            select(pair, now);
        } else if (role == IceRole.CONTROLLED && pair.nominatedByPeer) {
            select(pair, now);
        }
    }

    /** Regular nomination (RFC 8445 §8.1.1): re-check the best valid pair with USE-CANDIDATE. */
    private void nominate(long now) {
        for (CheckPair p : checkList.pairs()) {
            if (p.nominating) {
                return;
            }
        }
        CheckPair best = checkList.bestValid();
        if (best == null
                || checkList.betterPending(best) && now - firstValidAt < config.nominationDelay().toNanos()) {
            return;
        }
        best.nominating = true;
        sendCheck(best, true, now);
    }

    private void retransmit(long now) {
        resend.clear();
        for (StunTransactions.Transaction t : transactions.due(now, config.maxRto().toNanos(), resend)) {
            if (t.kind == StunTransactions.Kind.CHECK && t.pair.state != CheckPair.State.SUCCEEDED) {
                t.pair.state = CheckPair.State.FAILED;
                t.pair.nominating = false;
            } else if (t.kind == StunTransactions.Kind.CHECK) {
                t.pair.nominating = false;
            }
        }
        for (StunTransactions.Transaction t : resend) {
            sender.send(t.request, 0, t.request.length, t.destination);
            counters.retransmissions++;
        }
    }

    // ---- consent freshness, RFC 7675 ----

    private void consent(long now) {
        if (now - lastConsentAt >= config.consentTimeout().toNanos()) {
            fail("consent expired: no answer to consent checks for " + config.consentTimeout().toSeconds() + " s");
            return;
        }
        if (state == IceState.CONNECTED && now - lastConsentAt >= config.disconnectedAfter().toNanos()) {
            state = IceState.DISCONNECTED;
            log.info("ice {} disconnected: no consent response for {} ms", id, (now - lastConsentAt) / 1_000_000);
            listener.accept(new IceEvent.Disconnected("no consent response for " + (now - lastConsentAt) / 1_000_000 + " ms"));
        }
        if (now - nextConsentAt >= 0) {
            // Each consent check is a fresh transaction without retransmissions: a lost one is covered by the
            // next, well within the 30 s budget, and the jitter keeps thousands of calls from synchronising.
            TransactionId tid = TransactionId.random(random);
            byte[] request = IceMessages.check(tid, remoteUfrag, local.ufrag(),
                    IceMessages.prflxPriority(selected.local), role, tieBreaker, false, remoteKey);
            transactions.add(new StunTransactions.Transaction(tid, StunTransactions.Kind.CONSENT, selected, request,
                    false, role, now, config.consentInterval().toNanos() * 2, 0));
            sender.send(request, 0, request.length, selected.remote.address());
            counters.consentRequestsSent++;
            nextConsentAt = now + jittered(config.consentInterval().toNanos());
        }
    }

    private void consentGranted(long now) {
        counters.consentResponses++;
        lastConsentAt = now;
        if (state == IceState.DISCONNECTED) {
            state = IceState.CONNECTED;
            log.info("ice {} reconnected via {}", id, selected.toPair());
            listener.accept(new IceEvent.Connected(selected.toPair()));
        }
    }

    private void fail(String reason) {
        state = IceState.FAILED;
        transactions.clear();
        log.info("ice {} failed: {}", id, reason);
        listener.accept(new IceEvent.Failed(reason));
    }

    private long jittered(long nanos) {
        return (long) (nanos * (0.8 + 0.4 * random.nextDouble())); // RFC 7675 §5.1: ±20 %
    }

    /** Our base for a remote candidate: a host candidate of the same address family. */
    private IceCandidate baseFor(IceCandidate remote) {
        for (IceCandidate c : localCandidates) {
            if (c.type() == CandidateType.HOST && c.isIpv4() == remote.isIpv4()) {
                return c;
            }
        }
        return null;
    }

    private CheckPair pair(IceCandidate base, IceCandidate remote) {
        return checkList.add(base, remote, role);
    }

    /** Mutable counters behind {@link IceStats}; guarded by the agent lock. */
    static final class Counters {
        long stunReceived, malformed, badIntegrity, unknownUsername, unmatchedResponses, requestsAnswered,
                roleConflicts, checksSent, retransmissions, consentRequestsSent, consentResponses;

        IceStats snapshot() {
            return new IceStats(stunReceived, malformed, badIntegrity, unknownUsername, unmatchedResponses,
                    requestsAnswered, roleConflicts, checksSent, retransmissions, consentRequestsSent,
                    consentResponses);
        }
    }
}
