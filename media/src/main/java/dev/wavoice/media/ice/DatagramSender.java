package dev.wavoice.media.ice;

import java.net.InetSocketAddress;

/**
 * How an {@link IceAgent} reaches the network: it owns no socket. {@code send} must finish with {@code buf}
 * before returning (the agent may reuse it). The routing hooks let a shared-port demultiplexer deliver
 * responses and later media from a remote address to the right endpoint (RFC 7983 demux by address); a
 * dedicated socket can ignore them.
 */
public interface DatagramSender {

    void send(byte[] buf, int off, int len, InetSocketAddress to);

    /** Datagrams from {@code remote} belong to this agent from now on; called before the first check to it. */
    default void route(InetSocketAddress remote) {
    }

    /** The agent is done with {@code remote} (closed, or the address belongs to a pair that was dropped). */
    default void unroute(InetSocketAddress remote) {
    }
}
