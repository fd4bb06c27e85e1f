package dev.wavoice.media.webrtc;

import dev.wavoice.media.dtls.DtlsCertificate;
import dev.wavoice.media.dtls.DtlsEndpoint;
import dev.wavoice.media.dtls.DtlsEvent;
import dev.wavoice.media.dtls.DtlsRole;
import dev.wavoice.media.ice.CandidatePair;
import dev.wavoice.media.ice.IceAgent;
import dev.wavoice.media.ice.IceCandidate;
import dev.wavoice.media.ice.IceCredentials;
import dev.wavoice.media.ice.IceEvent;
import dev.wavoice.media.ice.IceRole;
import dev.wavoice.media.sdp.Candidate;
import dev.wavoice.media.sdp.LocalMediaParameters;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpNegotiator;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.sdp.SessionDescription;
import dev.wavoice.media.srtp.SrtpOptions;
import dev.wavoice.media.srtp.SrtpSession;
import dev.wavoice.media.transport.MuxEndpoint;
import dev.wavoice.media.transport.PacketClass;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's WebRTC audio transport: ICE (full agent) → DTLS (role from SDP, peer certificate checked against
 * the SDP fingerprint) → SRTP, on the shared port. Created from a remote offer, it has its answer at once; the
 * path comes up in the background and is reported through {@link MediaListener#onEvent} and
 * {@link #connected()}.
 *
 * <p>Threads: inbound packets arrive on the shared port's receive thread (the inbound SRTP context is used only
 * there); {@link #sendRtp} may be called from any one thread at a time per endpoint (the pacer's), guarded by a
 * per-endpoint lock, never a global one.
 */
public final class WebRtcEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebRtcEndpoint.class);
    /** Room for an RTP packet of a 20 ms Opus frame at any sane bitrate plus the SRTP tag. */
    private static final int MAX_PACKET = 1500;

    private final WebRtcTransport transport;
    private final String id;
    private final MediaListener listener;
    private final IceCredentials localCredentials;
    private final long localSsrc;
    private final String localCname;
    private final DtlsCertificate certificate;
    private final long createdNanos = System.nanoTime();
    private final WebRtcTransport.Socket socket;
    private final MuxEndpoint port;
    private final IceAgent ice;
    private final String localDescription;
    private final SessionDescription ownOffer;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final AtomicBoolean dtlsStarted = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final ReentrantLock sendLock = new ReentrantLock();
    private final byte[] sendBuffer = new byte[MAX_PACKET];
    /** A view of {@link #sendBuffer} made once, so sending a packet wraps nothing (guarded by the send lock). */
    private final ByteBuffer sendView = ByteBuffer.wrap(sendBuffer);
    private final LongAdder rtpReceived = new LongAdder(), rtcpReceived = new LongAdder(), rtpSent = new LongAdder(),
            rtcpSent = new LongAdder(), droppedBeforeKeys = new LongAdder(), droppedSrtp = new LongAdder(),
            notSent = new LongAdder();

    private volatile NegotiatedAudio negotiated;
    private volatile DtlsEndpoint dtls;
    private volatile SrtpSession srtp;
    private volatile InetSocketAddress remote;
    private volatile CandidatePair selectedPair;
    /** When our ICE checks began: the time to connected bounds the selected path's round trip from above. */
    private volatile long iceStartedNanos;

    private WebRtcEndpoint(WebRtcTransport transport, String id, MediaListener listener, IceRole role,
            SessionDescription offer, boolean ownPort) throws SdpNegotiationException {
        this.transport = transport;
        this.id = id;
        this.listener = listener;
        this.localCredentials = IceCredentials.random(transport.random);
        this.certificate = transport.certificates.get();
        this.localSsrc = transport.random.nextLong(1, 0xFFFFFFFFL);
        byte[] cnameBytes = new byte[8];
        transport.random.nextBytes(cnameBytes);
        this.localCname = HexFormat.of().formatHex(cnameBytes);
        this.socket = transport.socketFor(id, ownPort);
        this.port = socket.mux().register(id, localCredentials.ufrag(), this::onPacket);
        this.ice = new IceAgent(id, transport.config.ice(), localCredentials, role, port, this::onIceEvent,
                transport.random);
        List<IceCandidate> candidates = socket.candidates();
        candidates.forEach(ice::addLocalCandidate);
        LocalMediaParameters local = localParameters(candidates);
        try {
            if (offer == null) {
                this.ownOffer = SdpNegotiator.createOffer(local);
                this.localDescription = ownOffer.write();
            } else {
                this.ownOffer = null;
                SdpNegotiator.Answer answer = SdpNegotiator.answer(offer, local);
                this.localDescription = answer.sdp().write();
                begin(answer.negotiated());
            }
        } catch (SdpNegotiationException | RuntimeException e) {
            port.close();
            socket.release();
            throw e;
        }
    }

    static WebRtcEndpoint answering(WebRtcTransport transport, String id, SessionDescription offer,
            MediaListener listener) throws SdpNegotiationException {
        // The answerer starts controlled (RFC 8445 §6.1.1); an ICE-lite offerer makes it controlling.
        return new WebRtcEndpoint(transport, id, listener, IceRole.CONTROLLED, offer, false);
    }

    static WebRtcEndpoint offering(WebRtcTransport transport, String id, MediaListener listener, boolean ownPort) {
        try {
            return new WebRtcEndpoint(transport, id, listener, IceRole.CONTROLLING, null, ownPort);
        } catch (SdpNegotiationException e) {
            throw new IllegalStateException("creating an offer cannot fail to negotiate", e);
        }
    }

    /** Our SDP: the answer to the remote offer, or our offer. */
    public String localDescription() {
        return localDescription;
    }

    /** For an endpoint that offered: applies the peer's answer and starts connectivity checks. */
    public void applyAnswer(String answerSdp) throws SdpParseException, SdpNegotiationException {
        if (ownOffer == null || negotiated != null) {
            throw new IllegalStateException("applyAnswer is for an endpoint that made an offer, once");
        }
        NegotiatedAudio agreed;
        try {
            agreed = SdpNegotiator.applyAnswer(ownOffer, SessionDescription.parse(answerSdp));
        } catch (SdpParseException | SdpNegotiationException e) {
            transport.failures.answerRefused();
            throw e;
        }
        begin(agreed);
    }

    /** What offer/answer settled (payload types, remote SSRC, …); null before the answer for an offerer. */
    public NegotiatedAudio negotiated() {
        return negotiated;
    }

    /** Completes when ICE and DTLS are up; completes exceptionally when the endpoint fails or closes first. */
    public CompletableFuture<Void> connected() {
        return connected;
    }

    /**
     * The SSRC our description announces ({@code a=ssrc}); outgoing RTP must carry it, since peers that read
     * the SDP (Pion, libwebrtc) drop packets from SSRCs the description did not declare.
     */
    public long localSsrc() {
        return localSsrc;
    }

    /** The RTCP CNAME our description announces for {@link #localSsrc()}; SDES reports must carry the same. */
    public String localCname() {
        return localCname;
    }

    public String id() {
        return id;
    }

    public CandidatePair selectedPair() {
        return selectedPair;
    }

    private LocalMediaParameters localParameters(List<IceCandidate> iceCandidates) {
        List<Candidate> candidates = iceCandidates.stream().map(IceCandidate::toSdp).toList();
        return new LocalMediaParameters(localCredentials.ufrag(), localCredentials.pwd(), certificate.fingerprint(),
                candidates, DtlsRole.CLIENT, localSsrc, localCname, transport.random.nextLong(1, Long.MAX_VALUE));
    }

    /** Remote parameters are known: set up DTLS for its role and start checks. */
    private void begin(NegotiatedAudio agreed) {
        this.negotiated = agreed;
        this.dtls = DtlsEndpoint.create(id, agreed.localDtlsRole(), certificate, agreed.remoteFingerprint(),
                this::sendDtls, transport.config.dtls(), this::onDtlsEvent);
        ice.setRemoteCredentials(agreed.remoteUfrag(), agreed.remotePwd(), agreed.remoteIceLite());
        for (Candidate c : agreed.remoteCandidates()) {
            IceCandidate candidate = IceCandidate.fromSdp(c);
            if (candidate != null) {
                ice.addRemoteCandidate(candidate);
            }
        }
        transport.ticker.add(ice);
        iceStartedNanos = System.nanoTime();
        ice.start(iceStartedNanos);
    }

    // ---- inbound, on the shared port's receive thread ----

    private void onPacket(PacketClass cls, byte[] buf, int off, int len, InetSocketAddress from) {
        switch (cls) {
            case STUN -> ice.handleStun(buf, off, len, from, System.nanoTime());
            case DTLS -> {
                DtlsEndpoint d = dtls;
                if (d != null) {
                    d.onDatagram(buf, off, len);
                }
            }
            case RTP -> onSrtp(buf, off, len);
            default -> droppedSrtp.increment();
        }
    }

    private void onSrtp(byte[] buf, int off, int len) {
        SrtpSession session = srtp;
        if (session == null) {
            droppedBeforeKeys.increment();
            return;
        }
        if (len < 8) {
            droppedSrtp.increment();
            return;
        }
        // RFC 5761 §4: with rtcp-mux, RTCP packet types 192..223 occupy what would be RTP payload types 64..95.
        int packetType = buf[off + 1] & 0xFF;
        if (packetType >= 192 && packetType <= 223) {
            int n = session.inbound().unprotectRtcp(buf, off, len);
            if (n < 0) {
                droppedSrtp.increment();
                return;
            }
            rtcpReceived.increment();
            listener.onRtcp(buf, off, n);
        } else {
            int n = session.inbound().unprotectRtp(buf, off, len);
            if (n < 0) {
                droppedSrtp.increment();
                return;
            }
            rtpReceived.increment();
            listener.onRtp(buf, off, n);
        }
    }

    // ---- outbound ----

    /** Protects and sends one RTP packet; false (counted) when the path is not up or the packet is unusable. */
    public boolean sendRtp(byte[] packet, int off, int len) {
        return send(packet, off, len, false);
    }

    /** Protects and sends one compound RTCP packet. */
    public boolean sendRtcp(byte[] packet, int off, int len) {
        return send(packet, off, len, true);
    }

    private boolean send(byte[] packet, int off, int len, boolean rtcp) {
        SrtpSession session = srtp;
        InetSocketAddress to = remote;
        if (session == null || to == null || finished.get() || len + session.profile().rtcpOverhead() > MAX_PACKET) {
            notSent.increment();
            return false;
        }
        sendLock.lock();
        try {
            System.arraycopy(packet, off, sendBuffer, 0, len);
            int n = rtcp ? session.outbound().protectRtcp(sendBuffer, 0, len)
                    : session.outbound().protectRtp(sendBuffer, 0, len);
            if (n < 0) {
                notSent.increment();
                return false;
            }
            sendView.clear().limit(n);
            port.send(sendView, to);
        } finally {
            sendLock.unlock();
        }
        (rtcp ? rtcpSent : rtpSent).increment();
        return true;
    }

    private void sendDtls(byte[] buf, int off, int len) {
        InetSocketAddress to = remote;
        if (to != null) {
            port.send(buf, off, len, to);
        }
    }

    // ---- events ----

    private void onIceEvent(IceEvent event) {
        switch (event) {
            case IceEvent.Connected c -> {
                selectedPair = c.pair();
                remote = c.pair().remote().address();
                if (dtlsStarted.compareAndSet(false, true)) {
                    log.info("media.ice_connected endpoint={} pair={} ms={}", id, c.pair(), millisSinceCreated());
                    // The selected pair's check went out after ICE began and its answer came before this event.
                    dtls.start(Duration.ofNanos(System.nanoTime() - iceStartedNanos));
                }
            }
            case IceEvent.Failed f -> {
                transport.failures.iceFailed();
                fail("ICE: " + f.reason());
            }
            case IceEvent.Disconnected d -> log.info("media.ice_disconnected endpoint={} reason=\"{}\"", id, d.reason());
            case IceEvent.Checking c -> { }
            case IceEvent.Closed c -> { }
        }
    }

    private void onDtlsEvent(DtlsEvent event) {
        switch (event) {
            case DtlsEvent.Connected c -> {
                srtp = SrtpSession.create(c.keys(), SrtpOptions.defaults());
                long setup = System.nanoTime() - createdNanos;
                log.info("media.connected endpoint={} profile={} setupMs={}", id, c.profile(), setup / 1_000_000);
                // The event first: whoever waits on connected() may look at the listener's events at once.
                listener.onEvent(new EndpointEvent.Connected(selectedPair, c.profile(), setup));
                connected.complete(null);
            }
            case DtlsEvent.Failed f -> {
                transport.failures.dtlsFailed(f.cause());
                fail("DTLS: " + f.cause().getMessage());
            }
            case DtlsEvent.Closed c -> {
                if (c.reason() != DtlsEvent.CloseReason.LOCAL) {
                    finish(new EndpointEvent.Closed("peer ended DTLS (" + c.reason().name().toLowerCase() + ")"));
                }
            }
        }
    }

    private void fail(String reason) {
        finish(new EndpointEvent.Failed(reason));
    }

    private void finish(EndpointEvent event) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        String reason = event instanceof EndpointEvent.Failed f ? f.reason() : ((EndpointEvent.Closed) event).reason();
        log.info("media.ended endpoint={} event={} reason=\"{}\"", id, event.getClass().getSimpleName(), reason);
        connected.completeExceptionally(new IllegalStateException(reason));
        release();
        listener.onEvent(event);
    }

    private long millisSinceCreated() {
        return (System.nanoTime() - createdNanos) / 1_000_000;
    }

    public EndpointStats stats() {
        return new EndpointStats(rtpReceived.sum(), rtcpReceived.sum(), rtpSent.sum(), rtcpSent.sum(),
                droppedBeforeKeys.sum(), droppedSrtp.sum(), notSent.sum());
    }

    private void release() {
        transport.ticker.remove(ice);
        ice.close();
        DtlsEndpoint d = dtls;
        if (d != null) {
            d.close();
        }
        port.close();
        socket.release();
    }

    /** Closes the endpoint (sends DTLS close_notify when connected); idempotent. */
    @Override
    public void close() {
        if (finished.compareAndSet(false, true)) {
            connected.completeExceptionally(new IllegalStateException("closed"));
            release();
            listener.onEvent(new EndpointEvent.Closed("closed locally"));
        }
    }
}
