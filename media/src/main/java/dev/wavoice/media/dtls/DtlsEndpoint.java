package dev.wavoice.media.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS side of one call: runs the handshake in the role SDP fixed, checks the peer certificate
 * against the SDP fingerprint, exports SRTP keys, then watches for the peer's close_notify or fatal
 * alert. Datagrams are pushed in by the shared socket's receive thread ({@link #onDatagram});
 * the handshake itself runs on a thread from {@link DtlsConfig#threads()} (virtual by default).
 *
 * <p>Events go to the listener in order: {@link DtlsEvent.Connected} or {@link DtlsEvent.Failed},
 * then {@link DtlsEvent.Closed} if it had connected. Application data over DTLS is not used
 * (media is SRTP, outside DTLS) and is discarded.
 */
public final class DtlsEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsEndpoint.class);
    /** How long the post-handshake watcher blocks per receive; only bounds a wasted wake-up. */
    private static final int WATCH_WAIT_MS = 30_000;
    /**
     * The shortest first retransmission timer a measured round trip may bring: libwebrtc's floor for the same
     * rule (twice the ICE round trip). Below it a peer that takes a few ms to sign its flight would be sent
     * every flight twice.
     */
    static final Duration MIN_RETRANSMIT = Duration.ofMillis(50);

    private enum Phase { NEW, HANDSHAKING, CONNECTED, FAILED, CLOSED }

    private final String id;
    private final HandshakeState state;
    private final DtlsDatagramChannel channel;
    private final Consumer<DtlsEvent> listener;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final AtomicBoolean outcomeReported = new AtomicBoolean();
    private final AtomicBoolean closedReported = new AtomicBoolean();
    private volatile DTLSTransport transport;
    /** Set before our close_notify leaves, so the peer's answering close_notify is not taken for its hang-up. */
    private volatile boolean closedLocally;
    private volatile long handshakeNanos = -1;
    /** Logs its events at debug only: the warm-up's handshakes, hundreds of which are no calls. */
    private final boolean quiet;

    private DtlsEndpoint(String id, HandshakeState state, DtlsDatagramChannel channel, Consumer<DtlsEvent> listener,
                         boolean quiet) {
        this.id = id;
        this.state = state;
        this.channel = channel;
        this.listener = listener;
        this.quiet = quiet;
    }

    /**
     * An endpoint ready to receive datagrams; nothing is sent until {@link #start()}.
     *
     * @param endpointId      appears in every log line (the call id)
     * @param role            from our {@code a=setup}: active = client, passive = server
     * @param local           our certificate (its fingerprint is in our SDP)
     * @param remote          the fingerprint from the peer's SDP; its certificate must match
     * @param sender          sends a datagram to the peer's selected address
     * @param listener        receives {@link DtlsEvent}s on the endpoint's thread; keep it short
     */
    public static DtlsEndpoint create(String endpointId, DtlsRole role, DtlsCertificate local, DtlsFingerprint remote,
                                      DatagramSender sender, DtlsConfig config, Consumer<DtlsEvent> listener) {
        return create(endpointId, role, local, remote, sender, config, listener, false);
    }

    /** {@link #create}, logging its events at debug level ({@link DtlsWarmup}). */
    static DtlsEndpoint createQuiet(String endpointId, DtlsRole role, DtlsCertificate local, DtlsFingerprint remote,
                                    DatagramSender sender, DtlsConfig config, Consumer<DtlsEvent> listener) {
        return create(endpointId, role, local, remote, sender, config, listener, true);
    }

    private static DtlsEndpoint create(String endpointId, DtlsRole role, DtlsCertificate local, DtlsFingerprint remote,
                                       DatagramSender sender, DtlsConfig config, Consumer<DtlsEvent> listener,
                                       boolean quiet) {
        Objects.requireNonNull(remote, "remote fingerprint is required: DTLS-SRTP without it is unauthenticated");
        var state = new HandshakeState(role, config, local, remote);
        var channel = new DtlsDatagramChannel(sender, config.mtu(), config.receiveQueue());
        return new DtlsEndpoint(endpointId, state, channel, listener, quiet);
    }

    /**
     * Starts the handshake on a new thread from the config's factory; the first flight is retransmitted after
     * {@link DtlsConfig#initialRetransmit()} if nothing came back.
     */
    public void start() {
        start(null);
    }

    /**
     * Starts the handshake, its first retransmission timer twice {@code pathRoundTrip} (as libwebrtc does with
     * the ICE round trip), no shorter than {@link #MIN_RETRANSMIT} and no longer than
     * {@link DtlsConfig#initialRetransmit()}. A peer that drops our first flight (a DTLS stack that is not
     * listening yet when ICE says connected) then costs one short timer instead of a whole second.
     *
     * @param pathRoundTrip an upper bound of the round trip to the peer (e.g. ICE start → connected), or null
     */
    public void start(Duration pathRoundTrip) {
        if (!phase.compareAndSet(Phase.NEW, Phase.HANDSHAKING)) {
            throw new IllegalStateException("DTLS endpoint " + id + " already started");
        }
        if (pathRoundTrip != null) {
            state.resendMillis = (int) firstRetransmit(pathRoundTrip, state.config.initialRetransmit()).toMillis();
        }
        state.config.threads().newThread(this::run).start();
    }

    /** Twice the round trip, within [{@link #MIN_RETRANSMIT}, {@code cap}]; the cap wins if it is the lower. */
    static Duration firstRetransmit(Duration pathRoundTrip, Duration cap) {
        Duration doubled = pathRoundTrip.multipliedBy(2);
        Duration atLeast = doubled.compareTo(MIN_RETRANSMIT) < 0 ? MIN_RETRANSMIT : doubled;
        return atLeast.compareTo(cap) > 0 ? cap : atLeast;
    }

    /**
     * A DTLS datagram (first byte 20..63, RFC 7983) for this call. Never blocks or throws; the
     * buffer is copied, so the caller may reuse it at once.
     */
    public void onDatagram(byte[] buf, int off, int len) {
        channel.offer(buf, off, len);
    }

    public DtlsRole role() { return state.role; }

    public DtlsFingerprint localFingerprint() { return state.certificate.fingerprint(); }

    /** Wall time of the completed handshake in nanoseconds, or -1. */
    public long handshakeNanos() { return handshakeNanos; }

    public DtlsStats stats() {
        return new DtlsStats(channel.received.get(), channel.sent.get(), channel.droppedFull.get(),
                channel.droppedClosed.get());
    }

    /** Sends close_notify if connected, stops the threads; idempotent. */
    @Override
    public void close() {
        closedLocally = true;
        Phase previous = phase.getAndSet(Phase.CLOSED);
        if (previous == Phase.CLOSED) {
            return;
        }
        DTLSTransport t = transport;
        if (previous == Phase.CONNECTED && t != null) {
            try {
                t.close(); // close_notify (RFC 5246 §7.2.1), then closes the channel
            } catch (IOException | RuntimeException e) {
                LOG.debug("dtls close_notify not sent endpoint={}: {}", id, e.toString());
            }
        }
        channel.close();
    }

    private void run() {
        long started = System.nanoTime();
        DTLSTransport t;
        try {
            BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
            t = state.role == DtlsRole.CLIENT
                    ? new DTLSClientProtocol().connect(new SrtpDtlsClient(crypto, state), channel)
                    : new DTLSServerProtocol().accept(new SrtpDtlsServer(crypto, state), channel);
        } catch (Exception e) {
            fail(classify(e));
            return;
        }
        channel.flush(); // the server's last flight (ChangeCipherSpec, Finished): no receive follows it at once
        handshakeNanos = System.nanoTime() - started;
        transport = t;
        if (!phase.compareAndSet(Phase.HANDSHAKING, Phase.CONNECTED)) {
            quietClose(t);
            fail(new DtlsHandshakeFailedException("endpoint closed while the handshake completed", null));
            return;
        }
        // waitedMs is the part spent waiting for the peer's flights; the rest ran (or queued for a core) here.
        if (!quiet || LOG.isDebugEnabled()) {
            String line = "dtls connected endpoint={} role={} profile={} handshakeMs={} waitedMs={} timerMs={} "
                    + "emptyWaits={} sent={} received={}";
            Object[] args = {id, state.role, state.profile, handshakeNanos / 1_000_000,
                    channel.waitedNanos() / 1_000_000, state.resendMillis, channel.emptyWaits(), channel.sent.get(),
                    channel.received.get()};
            if (quiet) {
                LOG.debug(line, args);
            } else {
                LOG.info(line, args);
            }
        }
        if (outcomeReported.compareAndSet(false, true)) {
            emit(new DtlsEvent.Connected(state.keys, state.peerFingerprint));
        }
        watch(t);
    }

    /** Keeps BC's record layer reading so peer alerts, close_notify and flight retransmits are seen. */
    private void watch(DTLSTransport t) {
        byte[] buf = new byte[channel.getReceiveLimit()];
        DtlsEvent.CloseReason reason = DtlsEvent.CloseReason.PEER_ALERT;
        try {
            while (!state.closeNotifyReceived && !state.connectionClosed && phase.get() == Phase.CONNECTED) {
                long before = System.nanoTime();
                int n = t.receive(buf, 0, buf.length, WATCH_WAIT_MS);
                // BC returns -1 at once when the record layer has closed; a real timeout takes the wait.
                if (n < 0 && System.nanoTime() - before < WATCH_WAIT_MS * 500_000L) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("dtls receive ended endpoint={}: {}", id, e.toString());
        }
        if (closedLocally) {
            reason = DtlsEvent.CloseReason.LOCAL;
        } else if (state.closeNotifyReceived) {
            reason = DtlsEvent.CloseReason.PEER_CLOSE_NOTIFY;
        }
        phase.set(Phase.CLOSED);
        quietClose(t);
        channel.close();
        if (closedReported.compareAndSet(false, true)) {
            if (quiet) {
                LOG.debug("dtls closed endpoint={} reason={}", id, reason);
            } else {
                LOG.info("dtls closed endpoint={} reason={}", id, reason);
            }
            emit(new DtlsEvent.Closed(reason));
        }
    }

    private DtlsException classify(Exception e) {
        if (state.mismatch != null) {
            return state.mismatch;
        }
        if (e instanceof TlsTimeoutException) {
            return new DtlsHandshakeTimeoutException(state.config.handshakeTimeout(), e);
        }
        if (e instanceof DtlsDatagramChannel.ChannelClosedException || phase.get() == Phase.CLOSED) {
            return new DtlsHandshakeFailedException("endpoint closed before the handshake completed", e);
        }
        if (e instanceof TlsFatalAlertReceived r) {
            return new DtlsHandshakeFailedException("peer refused the handshake: "
                    + AlertDescription.getText(r.getAlertDescription()), e);
        }
        if (e instanceof TlsFatalAlert a) {
            return new DtlsHandshakeFailedException("handshake aborted: "
                    + AlertDescription.getText(a.getAlertDescription()) + " (" + a.getMessage() + ")", e);
        }
        return new DtlsHandshakeFailedException("handshake failed: " + e, e);
    }

    private void fail(DtlsException cause) {
        phase.compareAndSet(Phase.HANDSHAKING, Phase.FAILED);
        channel.close();
        if (outcomeReported.compareAndSet(false, true)) {
            LOG.info("dtls failed endpoint={} role={} cause={}: {}", id, state.role,
                    cause.getClass().getSimpleName(), cause.getMessage());
            emit(new DtlsEvent.Failed(cause));
        }
    }

    private void emit(DtlsEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("dtls event listener threw endpoint={} event={}", id, event.getClass().getSimpleName(), e);
        }
    }

    private static void quietClose(DTLSTransport t) {
        try {
            t.close();
        } catch (IOException | RuntimeException ignored) {
            // Already closed or the peer is gone: nothing left to tell it.
        }
    }
}
