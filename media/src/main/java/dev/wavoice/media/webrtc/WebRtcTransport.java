package dev.wavoice.media.webrtc;

import dev.wavoice.media.dtls.DtlsCertificate;
import dev.wavoice.media.ice.IceCandidate;
import dev.wavoice.media.ice.IceTicker;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.sdp.SessionDescription;
import dev.wavoice.media.transport.PortRange;
import dev.wavoice.media.transport.ServerReflexiveProbe;
import dev.wavoice.media.transport.UdpMux;
import dev.wavoice.media.transport.UdpMuxStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What all endpoints of a process share: one UDP port (demultiplexed per call), one ticker thread for every ICE
 * agent, one DTLS certificate. Creating an endpoint costs no socket and no thread, which is what lets one JVM
 * carry thousands of calls behind a single firewall rule.
 */
public final class WebRtcTransport implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebRtcTransport.class);

    final WebRtcTransportConfig config;
    final UdpMux mux;
    final IceTicker ticker;
    final Supplier<DtlsCertificate> certificates;
    final SecureRandom random = new SecureRandom();
    final EndpointFailureCounters failures = new EndpointFailureCounters();
    private final List<IceCandidate> fixedCandidates;
    private final ServerReflexiveProbe stunProbe;
    private final PortRange.Allocator perCallPorts;

    private WebRtcTransport(WebRtcTransportConfig config, UdpMux mux) {
        this.config = config;
        this.mux = mux;
        this.ticker = new IceTicker("ice-ticker", config.tickPeriod());
        this.certificates = DtlsCertificate.perProcess();
        this.fixedCandidates = candidates(mux.localAddress(), config.announcedAddress());
        this.stunProbe = config.stunServer() == null ? null
                : ServerReflexiveProbe.start(mux, config.stunServer(), Duration.ofMillis(500), 4);
        this.perCallPorts = config.perCallPorts() == null ? null : new PortRange.Allocator(config.perCallPorts());
    }

    /**
     * Where one endpoint sends and receives: the shared port, or (with per-call ports) a socket of its own that
     * closes with it.
     */
    record Socket(UdpMux mux, List<IceCandidate> candidates, boolean owned) {
        void release() {
            if (owned) {
                try {
                    mux.close();
                } catch (IOException e) {
                    log.debug("media.per_call_port_close_failed port={} error=\"{}\"", mux.localAddress(), e.toString());
                }
            }
        }
    }

    /**
     * The socket for a new endpoint; with per-call ports it fails when every port of the range is taken.
     * {@code ownPort} asks for a socket of its own even without per-call ports (any free port at the bind address):
     * for a connection we open to a server that demultiplexes by address, as a browser does per peer connection.
     */
    Socket socketFor(String id, boolean ownPort) {
        if (perCallPorts == null && !ownPort) {
            return new Socket(mux, localCandidates(), false);
        }
        try {
            UdpMux own = perCallPorts != null ? perCallPorts.open("call-" + id, config.bind())
                    : UdpMux.open("leg-" + id, new InetSocketAddress(config.bind().getAddress(), 0), 256 << 10);
            return new Socket(own, candidates(own.localAddress(), config.announcedAddress()), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The candidates a new endpoint announces: host and announced addresses, plus the STUN-learned address once
     * the probe has answered (never waited for: a call that starts earlier simply goes without it).
     */
    List<IceCandidate> localCandidates() {
        InetSocketAddress mapped = stunProbe == null ? null : stunProbe.addressIfKnown();
        if (mapped == null || fixedCandidates.stream().anyMatch(c -> c.address().equals(mapped))) {
            return fixedCandidates;
        }
        List<IceCandidate> all = new ArrayList<>(fixedCandidates);
        all.add(IceCandidate.announced(mapped, firstHost(), 65534));
        return List.copyOf(all);
    }

    private InetSocketAddress firstHost() {
        return fixedCandidates.stream().filter(c -> c.relatedAddress() == null).findFirst()
                .map(IceCandidate::address).orElse(mux.localAddress());
    }

    /** Binds the shared port and generates the certificate, so the first call pays for neither. */
    public static WebRtcTransport open(WebRtcTransportConfig config) throws IOException {
        UdpMux mux = UdpMux.open("media", config.bind());
        WebRtcTransport transport = new WebRtcTransport(config, mux);
        transport.certificates.get();
        log.info("media.transport_open bind={} candidates={}", mux.localAddress(),
                transport.fixedCandidates.stream().map(c -> c.address().toString()).toList());
        return transport;
    }

    /**
     * Answers a remote offer: the returned endpoint's {@link WebRtcEndpoint#localDescription()} is the answer,
     * complete with candidates, and connectivity checks are already under way.
     *
     * @throws SdpParseException       the offer is not valid SDP (the message names the line)
     * @throws SdpNegotiationException the offer cannot be answered (no audio, no Opus, no rtcp-mux, …)
     */
    public WebRtcEndpoint answer(String id, String offerSdp, MediaListener listener)
            throws SdpParseException, SdpNegotiationException {
        try {
            return WebRtcEndpoint.answering(this, id, SessionDescription.parse(offerSdp), listener);
        } catch (SdpParseException | SdpNegotiationException e) {
            failures.offerRefused();
            throw e;
        }
    }

    /** Creates an endpoint that offers; hand its answer to {@link WebRtcEndpoint#applyAnswer}. */
    public WebRtcEndpoint offer(String id, MediaListener listener) {
        return WebRtcEndpoint.offering(this, id, listener, false);
    }

    /**
     * As {@link #offer}, on a UDP port of the endpoint's own (from the per-call range when one is configured, else any
     * free port): for connections to a server that tells its peers apart by their address, which several endpoints on
     * the shared port would share. Costs a socket and a receive thread while the endpoint lives.
     */
    public WebRtcEndpoint offerOnOwnPort(String id, MediaListener listener) {
        return WebRtcEndpoint.offering(this, id, listener, true);
    }

    public InetSocketAddress localAddress() {
        return mux.localAddress();
    }

    public UdpMuxStats stats() {
        return mux.stats();
    }

    /** Why endpoints of this transport failed or were refused, since it opened. */
    public EndpointFailureStats failureStats() {
        return failures.snapshot();
    }

    public int endpointCount() {
        return mux.endpointCount();
    }

    /**
     * Host candidates for the bound socket (one per interface address when bound to the wildcard, loopback only
     * when nothing else exists) and the announced public address, all known at once: nothing is gathered.
     */
    static List<IceCandidate> candidates(InetSocketAddress bound, InetAddress announced) {
        List<InetSocketAddress> hosts = new ArrayList<>();
        if (bound.getAddress().isAnyLocalAddress()) {
            for (InetAddress a : interfaceAddresses()) {
                hosts.add(new InetSocketAddress(a, bound.getPort()));
            }
        } else {
            hosts.add(bound);
        }
        List<IceCandidate> out = new ArrayList<>();
        // The announced address goes first: the first candidate also fills m= and c= (RFC 8839 §4.2.1.2).
        if (announced != null && !hosts.isEmpty()) {
            out.add(IceCandidate.announced(new InetSocketAddress(announced, bound.getPort()), hosts.getFirst(), 65535));
        }
        int preference = 65535;
        for (InetSocketAddress h : hosts) {
            out.add(IceCandidate.host(h, preference--));
        }
        return List.copyOf(out);
    }

    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> usable = new ArrayList<>();
        List<InetAddress> loopback = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    // IPv4 only for now: WhatsApp's edge offers IPv4 candidates, and link-local v6 cannot be reached.
                    if (!(a instanceof Inet4Address)) {
                        continue;
                    }
                    (a.isLoopbackAddress() ? loopback : usable).add(a);
                }
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        return usable.isEmpty() ? loopback : usable;
    }

    @Override
    public void close() throws IOException {
        ticker.close();
        mux.close();
    }
}
