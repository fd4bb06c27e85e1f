package dev.wavoice.media.transport;

import dev.wavoice.media.stun.StunMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket shared by many endpoints (calls), with one platform receive thread.
 *
 * <p>Demultiplexing (RFC 7983, and RFC 8445 §7.3 for the ufrag): the first byte gives the class. A STUN
 * Binding request is routed by the first half of its USERNAME ("ourUfrag:theirUfrag"), because a new peer's
 * first check comes from an address nobody knows yet. Everything else (STUN responses, DTLS, RTP/RTCP) is
 * routed by the remote address that the endpoint's ICE agent registered through
 * {@link MuxEndpoint#route}. One address belongs to one endpoint: if two calls ever talk to the same remote
 * address and port, the second route is refused and counted, and those calls need ports of their own.
 *
 * <p>The receive loop reuses one buffer (see {@link PacketHandler} for the ownership rule), never throws out
 * of the loop, and counts every drop by reason in {@link #stats()}.
 */
public final class UdpMux implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UdpMux.class);

    /** Larger than any datagram we expect (Ethernet MTU); a datagram that fills it was cut and is dropped. */
    static final int RECEIVE_BUFFER = 2048;

    private final String name;
    private final DatagramChannel channel;
    private final InetSocketAddress localAddress;
    private final Map<String, MuxEndpoint> byUfrag = new ConcurrentHashMap<>();
    private final Map<InetSocketAddress, MuxEndpoint> byAddress = new ConcurrentHashMap<>();
    private final Thread receiver;
    private final LongAdder received = new LongAdder(), stun = new LongAdder(), dtls = new LongAdder(),
            rtp = new LongAdder(), unclassified = new LongAdder(), truncated = new LongAdder(),
            malformedStun = new LongAdder(), unknownUfrag = new LongAdder(), unknownAddress = new LongAdder(),
            handlerErrors = new LongAdder(), addressConflicts = new LongAdder(), sendErrors = new LongAdder();

    private UdpMux(String name, DatagramChannel channel) throws IOException {
        this.name = name;
        this.channel = channel;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.receiver = Thread.ofPlatform().name("udp-mux-" + name).daemon().unstarted(this::receiveLoop);
    }

    /**
     * Socket buffers asked for by default: one port carries every call (1000 calls are ~50k datagrams/s), so a
     * few milliseconds of stall on the receive thread must not overflow the kernel queue. Linux caps the value
     * at net.core.rmem_max / wmem_max.
     */
    public static final int DEFAULT_SOCKET_BUFFER = 4 << 20;

    /** Binds {@code bind} (port 0 for any) and starts the receive thread. */
    public static UdpMux open(String name, InetSocketAddress bind) throws IOException {
        return open(name, bind, DEFAULT_SOCKET_BUFFER);
    }

    /** As {@link #open(String, InetSocketAddress)}, asking for {@code socketBufferBytes} of kernel buffer each way. */
    public static UdpMux open(String name, InetSocketAddress bind, int socketBufferBytes) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, socketBufferBytes);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, socketBufferBytes);
            channel.bind(bind);
            UdpMux mux = new UdpMux(name, channel);
            mux.receiver.start();
            log.info("udp mux {} listening on {}", name, mux.localAddress);
            return mux;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The bound address; when bound to the wildcard, host candidates use the interface addresses with this port. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Adds an endpoint for the ICE username fragment we gave the peer.
     *
     * @throws IllegalStateException if another endpoint already uses {@code localUfrag}
     */
    public MuxEndpoint register(String id, String localUfrag, PacketHandler handler) {
        MuxEndpoint endpoint = new MuxEndpoint(this, id, localUfrag, handler);
        if (byUfrag.putIfAbsent(localUfrag, endpoint) != null) {
            throw new IllegalStateException("ICE ufrag " + localUfrag + " is already registered on mux " + name);
        }
        return endpoint;
    }

    public int endpointCount() {
        return byUfrag.size();
    }

    public UdpMuxStats stats() {
        return new UdpMuxStats(received.sum(), stun.sum(), dtls.sum(), rtp.sum(), unclassified.sum(),
                truncated.sum(), malformedStun.sum(), unknownUfrag.sum(), unknownAddress.sum(), handlerErrors.sum(),
                addressConflicts.sum(), sendErrors.sum());
    }

    @Override
    public void close() throws IOException {
        channel.close(); // wakes the receive thread with AsynchronousCloseException
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("udp mux {} closed", name);
    }

    // ---- used by MuxEndpoint ----

    /** Wraps {@code buf} for one datagram: for STUN and DTLS, a few per call-second, not the media path. */
    boolean send(byte[] buf, int off, int len, InetSocketAddress to) {
        return send(ByteBuffer.wrap(buf, off, len), to);
    }

    /**
     * Sends the bytes between {@code src}'s position and limit. The media path passes a buffer it owns and reuses,
     * so a packet costs no {@link ByteBuffer#wrap} (the JDK copies a heap buffer through a per-thread direct one).
     */
    boolean send(ByteBuffer src, InetSocketAddress to) {
        try {
            channel.send(src, to);
            return true;
        } catch (IOException | RuntimeException e) {
            sendErrors.increment(); // e.g. ICMP unreachable surfaced, or the mux closed; never the caller's problem
            return false;
        }
    }

    boolean route(InetSocketAddress remote, MuxEndpoint endpoint) {
        MuxEndpoint owner = byAddress.putIfAbsent(remote, endpoint);
        if (owner != null && owner != endpoint) {
            addressConflicts.increment();
            log.warn("udp mux {}: {} cannot route {}, it belongs to {}", name, endpoint.id(), remote, owner.id());
            return false;
        }
        return true;
    }

    void unroute(InetSocketAddress remote, MuxEndpoint endpoint) {
        byAddress.remove(remote, endpoint);
    }

    void unregister(MuxEndpoint endpoint) {
        byUfrag.remove(endpoint.localUfrag(), endpoint);
    }

    // ---- the receive thread ----

    private void receiveLoop() {
        byte[] array = new byte[RECEIVE_BUFFER];
        ByteBuffer buffer = ByteBuffer.wrap(array);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buffer.clear();
                from = channel.receive(buffer);
            } catch (ClosedChannelException e) {
                break;
            } catch (IOException | RuntimeException e) {
                // Linux reports an earlier send's ICMP error on the next receive; that is not fatal.
                sendErrors.increment();
                continue;
            }
            if (from instanceof InetSocketAddress remote) {
                dispatch(array, buffer.position(), remote);
            }
        }
    }

    /** Classifies one datagram and hands it to its endpoint; package-private so tests can drive it directly. */
    void dispatch(byte[] buf, int len, InetSocketAddress from) {
        received.increment();
        if (len == 0 || len >= RECEIVE_BUFFER) {
            truncated.increment();
            return;
        }
        PacketClass cls = PacketClass.of(buf[0]);
        if (cls == null) {
            unclassified.increment();
            return;
        }
        if (len < cls.minimumLength()) {
            truncated.increment();
            return;
        }
        MuxEndpoint endpoint;
        switch (cls) {
            case STUN -> {
                stun.increment();
                if (!StunMessage.isStun(buf, 0, len)) {
                    malformedStun.increment();
                    return;
                }
                endpoint = isBindingRequest(buf) ? byUsername(buf, len) : byAddress.get(from);
                if (endpoint == null) {
                    (isBindingRequest(buf) ? unknownUfrag : unknownAddress).increment();
                    return;
                }
            }
            case DTLS, RTP -> {
                (cls == PacketClass.DTLS ? dtls : rtp).increment();
                endpoint = byAddress.get(from);
                if (endpoint == null) {
                    unknownAddress.increment();
                    return;
                }
            }
            default -> throw new AssertionError(cls);
        }
        try {
            endpoint.received.increment();
            endpoint.handler.onPacket(cls, buf, 0, len, from);
        } catch (RuntimeException e) {
            handlerErrors.increment(); // one endpoint's bug must not take the port down for everyone
        }
    }

    private static boolean isBindingRequest(byte[] buf) {
        return buf[0] == 0x00 && buf[1] == 0x01; // RFC 8489 §5: method Binding, class request
    }

    private MuxEndpoint byUsername(byte[] buf, int len) {
        String username = StunMessage.usernameOf(buf, 0, len);
        if (username == null) {
            return null;
        }
        int colon = username.indexOf(':');
        return byUfrag.get(colon < 0 ? username : username.substring(0, colon));
    }
}
