package dev.wavoice.media.transport;

import dev.wavoice.media.ice.DatagramSender;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One call's share of a {@link UdpMux}: Binding requests for its ICE ufrag and every datagram from the remote
 * addresses it routed reach its {@link PacketHandler}; it sends from the shared port. It is the
 * {@link DatagramSender} of that call's ICE agent, so the agent routes the addresses it checks.
 */
public final class MuxEndpoint implements DatagramSender, AutoCloseable {
    private final UdpMux mux;
    private final String id;
    private final String localUfrag;
    final PacketHandler handler;
    private final Set<InetSocketAddress> routes = ConcurrentHashMap.newKeySet();
    final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private volatile boolean closed;

    MuxEndpoint(UdpMux mux, String id, String localUfrag, PacketHandler handler) {
        this.mux = mux;
        this.id = id;
        this.localUfrag = localUfrag;
        this.handler = handler;
    }

    public String id() {
        return id;
    }

    public String localUfrag() {
        return localUfrag;
    }

    /** The shared port's address (for the host candidate). */
    public InetSocketAddress localAddress() {
        return mux.localAddress();
    }

    /** Sends from the shared port; an I/O error is counted on the mux, never thrown (packet path). */
    @Override
    public void send(byte[] buf, int off, int len, InetSocketAddress to) {
        if (!closed && mux.send(buf, off, len, to)) {
            sent.increment();
        }
    }

    /**
     * Sends the bytes between {@code packet}'s position and limit, for a sender that keeps one buffer per call and
     * reuses it (the media path: no allocation per packet). The buffer's position moves; its contents do not change.
     */
    public void send(ByteBuffer packet, InetSocketAddress to) {
        if (!closed && mux.send(packet, to)) {
            sent.increment();
        }
    }

    @Override
    public void route(InetSocketAddress remote) {
        if (!closed && mux.route(remote, this)) {
            routes.add(remote);
        }
    }

    @Override
    public void unroute(InetSocketAddress remote) {
        if (routes.remove(remote)) {
            mux.unroute(remote, this);
        }
    }

    public long packetsReceived() {
        return received.sum();
    }

    public long packetsSent() {
        return sent.sum();
    }

    /** Releases the ufrag and every routed address; later datagrams for them count as unknown. */
    @Override
    public void close() {
        closed = true;
        for (InetSocketAddress a : routes) {
            mux.unroute(a, this);
        }
        routes.clear();
        mux.unregister(this);
    }

    @Override
    public String toString() {
        return "MuxEndpoint[" + id + ", ufrag=" + localUfrag + "]";
    }
}
