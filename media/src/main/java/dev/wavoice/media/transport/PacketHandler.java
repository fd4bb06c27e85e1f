package dev.wavoice.media.transport;

import java.net.InetSocketAddress;

/**
 * Receives the datagrams of one endpoint on the mux's receive thread.
 *
 * <p>Buffer ownership: {@code buf} belongs to the mux and is valid only during the call; it is reused for the
 * next datagram. Copy what must outlive the call. Return quickly (hand off anything slow): every endpoint on
 * the port shares this thread. An exception is counted and the datagram dropped; it never stops the loop.
 */
@FunctionalInterface
public interface PacketHandler {
    void onPacket(PacketClass packetClass, byte[] buf, int off, int len, InetSocketAddress from);
}
