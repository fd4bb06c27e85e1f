package dev.wavoice.media.ice;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * agents on one thread); it sends through a {@link DatagramSender}. Methods may be called from different
 * threads: one lock per agent, never a global one. Events reach the listener with that lock held, in order:
 * hand them off, do not block.
 *
 * <p>Toward an ICE-lite peer (WhatsApp) the agent is controlling and nominates aggressively: every check
 * carries USE-CANDIDATE and the first pair that answers is selected (and replaced if a higher-priority one
 * answers later, as the lite peer does the same), since a lite peer never checks back.
 * Toward a full peer it uses regular nomination (§8.1.1) as controlling, or follows USE-CANDIDATE as
 * controlled (§7.3.1.5).
 */
public final class IceAgent {
    private static final Logger log = LoggerFactory.getLogger(IceAgent.class);

    final String id;
    final IceConfig config;
    final IceCredentials local;
    final DatagramSender sender;
    final Consumer<IceEvent> listener;
    final RandomGenerator random;
    final long tieBreaker;
    final MessageIntegrity localKey;
    final CheckList checkList = new CheckList();
    final StunTransactions transactions = new StunTransactions();
    final IceCounters counters = new IceCounters();
    private final ReentrantLock lock = new ReentrantLock();
    private final ConsentFreshness consent;
    private final List<IceCandidate> localCandidates = new ArrayList<>();
    private final Routes routes;
    private final List<IceCandidate> remoteCandidates = new ArrayList<>();
    /** Reused by {@link IceChecks#retransmit} so an idle tick allocates nothing. */
    final List<StunTransactions.Transaction> resendScratch = new ArrayList<>(), expiredScratch = new ArrayList<>();

    /** Set by the {@link IceTicker} that drives this agent, so an early deadline learnt off its thread can wake it. */
    volatile IceTicker ticker;
    /** The deadline the ticker was last given ({@link #tickAndSchedule}); guarded by the lock. */
    private long scheduledAt;
    /** The ticker's timing-wheel links: read and written on the ticker's thread only. */
    IceAgent wheelPrev, wheelNext;
    long wheelTick;
    boolean inWheel;

    IceRole role;
    IceState state = IceState.NEW;
    String remoteUfrag;
    MessageIntegrity remoteKey;
    private boolean remoteLite;
    private CheckPair selected;
    private long startedAt;
    private long nextCheckAt;
    long firstValidAt;
    boolean anyValid;

    /**
     * @param id     names the endpoint in logs
     * @param role   the initial role: controlling if we made the offer (RFC 8445 §6.1.1); forced to
     *               controlling when the peer turns out to be ICE-lite
     * @param random transaction ids, tie-breaker and jitter; use a {@code SecureRandom} in production
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
        this.routes = new Routes(sender);
        this.consent = new ConsentFreshness(config.consentInterval(), config.disconnectedAfter(),
                config.consentTimeout(), random);
    }

    /** A host candidate (a base we send from) or an announced address; host ones are paired at once. */
    public void addLocalCandidate(IceCandidate candidate) {
        lock.lock();
        try {
            localCandidates.add(candidate);
            if (candidate.type() == CandidateType.HOST) {
                for (IceCandidate r : remoteCandidates) {
                    if (r.isIpv4() == candidate.isIpv4()) {
                        checkList.add(candidate, r, role);
                    }
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
            remoteUfrag = Objects.requireNonNull(ufrag, "ufrag");
            remoteKey = MessageIntegrity.shortTerm(pwd);
            remoteLite = iceLite;
            if (iceLite && role != IceRole.CONTROLLING) {
                switchRole(IceRole.CONTROLLING, "the peer is ICE-lite");
            }
        } finally {
            lock.unlock();
        }
    }

    /** Pairs the candidate with our host candidate of the same address family. */
    public void addRemoteCandidate(IceCandidate candidate) {
        lock.lock();
        try {
            remoteCandidates.add(candidate);
            IceCandidate base = baseFor(candidate);
            if (base != null) {
                checkList.add(base, candidate, role);
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
     * Handles one STUN datagram from {@code from}; {@code buf} is read only during the call. Never throws for
     * bad input: it is counted in {@link #stats()} and dropped.
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
                case SUCCESS_RESPONSE, ERROR_RESPONSE -> {
                    if (remoteKey != null) {
                        IceResponses.handle(this, m, buf, off, from, nowNanos);
                    } else {
                        counters.unmatchedResponses++;
                    }
                }
                case INDICATION -> { } // RFC 8445 §11: keepalive indications need no answer
            }
            wakeTickerIfEarlier(nowNanos);
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
            IceChecks.retransmit(this, nowNanos);
            if (state != IceState.CHECKING) {
                runConsent(nowNanos);
            } else if (nowNanos - startedAt >= config.failureTimeout().toNanos()) {
                fail("no candidate pair worked within " + config.failureTimeout().toMillis() + " ms");
            } else {
                if (remoteKey != null && nowNanos - nextCheckAt >= 0) {
                    CheckPair next = checkList.next();
                    if (next != null) {
                        IceChecks.send(this, next, remoteLite && role == IceRole.CONTROLLING,
                                StunTransactions.Kind.CHECK, nowNanos);
                        nextCheckAt = nowNanos + config.checkInterval().toNanos();
                    }
                }
                if (role == IceRole.CONTROLLING && !remoteLite) {
                    IceChecks.nominate(this, nowNanos);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #tick} then the time it next needs one (nanos): at once while it is new or checking (pacing, the
     * ticker's own period), the next consent check, consent turning late or expired, or a retransmission when
     * connected; {@link Long#MAX_VALUE} once it failed or closed (it never needs a clock again).
     */
    long tickAndSchedule(long nowNanos) {
        lock.lock();
        try {
            tick(nowNanos);
            long due = nextDeadline(nowNanos);
            scheduledAt = due;
            return due;
        } finally {
            lock.unlock();
        }
    }

    /** With the lock held. */
    private long nextDeadline(long now) {
        return switch (state) {
            case NEW, CHECKING -> now;
            case FAILED, CLOSED -> Long.MAX_VALUE;
            case CONNECTED, DISCONNECTED -> {
                long due = consent.nextDeadline(state == IceState.CONNECTED);
                if (transactions.size() > 0) {
                    long t = transactions.earliestDeadline();
                    if (t - due < 0) {
                        due = t;
                    }
                }
                yield due;
            }
        };
    }

    /**
     * A STUN message handled off the ticker's thread can bring the next deadline forward (a better pair nominated
     * later restarts consent timing); then the ticker is asked to look at this agent again. With the lock held.
     */
    private void wakeTickerIfEarlier(long now) {
        IceTicker t = ticker;
        if (t == null || (state != IceState.CONNECTED && state != IceState.DISCONNECTED)
                || scheduledAt == Long.MAX_VALUE) {
            return;
        }
        long due = nextDeadline(now);
        if (due - scheduledAt < 0) {
            scheduledAt = due;
            t.wake(this);
        }
    }

    /** Stops the agent for good and releases its routes. */
    public void close() {
        lock.lock();
        try {
            if (state == IceState.CLOSED) {
                return;
            }
            state = IceState.CLOSED;
            transactions.clear();
            routes.releaseAll();
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
        return locked(() -> role);
    }

    public IceState state() {
        return locked(() -> state);
    }

    /** The selected pair, or null before {@link IceEvent.Connected}. */
    public CandidatePair selectedPair() {
        return locked(() -> selected == null ? null : selected.toPair());
    }

    public List<IceCandidate> localCandidates() {
        return locked(() -> List.copyOf(localCandidates));
    }

    public IceStats stats() {
        return locked(counters::snapshot);
    }

    // ---- with the lock held, also from IceRequests / IceResponses ----

    /** A peer-reflexive remote candidate learnt from a check (RFC 8445 §7.3.1.3), paired at once. */
    CheckPair learnPeerReflexive(InetSocketAddress from, long priority) {
        IceCandidate prflx = new IceCandidate(CandidateType.PEER_REFLEXIVE, from, priority,
                Integer.toUnsignedString(random.nextInt()), null);
        IceCandidate base = baseFor(prflx);
        return base == null ? null : checkList.add(base, prflx, role);
    }

    void switchRole(IceRole newRole, String why) {
        role = newRole;
        checkList.reprioritize(role);
        log.info("ice {} switching to {}: {}", id, role, why);
    }

    void markValid(long now) {
        if (!anyValid) {
            anyValid = true;
            firstValidAt = now;
        }
    }

    void select(CheckPair pair, long now) {
        if (selected != null || state != IceState.CHECKING) {
            return;
        }
        selected = pair;
        state = IceState.CONNECTED;
        consent.start(now);
        for (CheckPair p : checkList.pairs()) {
            releaseRoute(p);
        }
        log.info("ice {} connected as {} via {} after {} ms", id, role, pair.toPair(), (now - startedAt) / 1_000_000);
        listener.accept(new IceEvent.Connected(pair.toPair()));
    }

    /**
     * Aggressive nomination toward a lite peer can confirm a second, higher-priority pair after we selected
     * the first; the lite peer then uses the highest-priority nominated pair (RFC 5245 §8.2.2), so we follow.
     */
    void nominatedLater(CheckPair pair, long now) {
        if (selected == null || pair == selected || pair.priority <= selected.priority
                || state == IceState.FAILED || state == IceState.CLOSED) {
            return;
        }
        CheckPair previous = selected;
        selected = pair;
        state = IceState.CONNECTED;
        consent.start(now);
        releaseRoute(previous);
        log.info("ice {} switched to the better nominated pair {}", id, pair.toPair());
        listener.accept(new IceEvent.Connected(pair.toPair()));
    }

    /**
     * After selection, a remote address of another pair needs no route once its last check is over; on a
     * shared port it may belong to another call.
     */
    void releaseRoute(CheckPair pair) {
        if (selected != null && pair != selected && !transactions.hasOpen(pair)
                && !pair.remote.address().equals(selected.remote.address())) {
            routes.release(pair.remote.address());
        }
    }

    void consentGranted(long now) {
        counters.consentResponses++;
        consent.granted(now);
        if (state == IceState.DISCONNECTED) {
            state = IceState.CONNECTED;
            log.info("ice {} reconnected via {}", id, selected.toPair());
            listener.accept(new IceEvent.Connected(selected.toPair()));
        }
    }

    void route(InetSocketAddress remote) {
        routes.add(remote);
    }

    // ---- private ----

    private void runConsent(long now) {
        switch (consent.verdict(now)) {
            case EXPIRED -> {
                fail("consent expired: no answer to consent checks for " + consent.millisSinceResponse(now) + " ms");
                return;
            }
            case LATE -> {
                if (state == IceState.CONNECTED) {
                    state = IceState.DISCONNECTED;
                    String reason = "no consent response for " + consent.millisSinceResponse(now) + " ms";
                    log.info("ice {} disconnected: {}", id, reason);
                    listener.accept(new IceEvent.Disconnected(reason));
                }
            }
            case FRESH -> { }
        }
        if (consent.checkDue(now)) {
            IceChecks.send(this, selected, false, StunTransactions.Kind.CONSENT, now);
        }
    }

    private void fail(String reason) {
        state = IceState.FAILED;
        transactions.clear();
        log.info("ice {} failed: {}", id, reason);
        listener.accept(new IceEvent.Failed(reason));
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

    private <T> T locked(java.util.function.Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
