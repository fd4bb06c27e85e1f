package dev.wavoice.media.ice;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * The remote addresses this agent asked its transport to route to it (RFC 7983 demultiplexing by address on
 * a shared port), so each is routed once and released exactly once.
 */
final class Routes {
    private final DatagramSender sender;
    private final Set<InetSocketAddress> routed = new HashSet<>();

    Routes(DatagramSender sender) {
        this.sender = sender;
    }

    void add(InetSocketAddress remote) {
        if (routed.add(remote)) {
            sender.route(remote);
        }
    }

    void release(InetSocketAddress remote) {
        if (routed.remove(remote)) {
            sender.unroute(remote);
        }
    }

    void releaseAll() {
        routed.forEach(sender::unroute);
        routed.clear();
    }
}
