package dev.wavoice.media.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A range of UDP ports to give each call a socket of its own, for edges that send several calls from one address
 * and port (the shared port tells calls apart by remote address once ICE is done). Ports are handed out round robin,
 * skipping any that is taken, so a port just freed is not reused at once.
 */
public record PortRange(int first, int last) {

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("a port range is first-last within 1..65535 (got " + first + "-" + last
                    + ")");
        }
    }

    /** Parses {@code 40000-40999}. */
    public static PortRange parse(String value) {
        String[] parts = value.trim().split("-");
        try {
            if (parts.length == 2) {
                return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
            }
        } catch (NumberFormatException e) {
            // the message below says what is expected
        }
        throw new IllegalArgumentException("a port range looks like 40000-40999 (got '" + value + "')");
    }

    public int size() {
        return last - first + 1;
    }

    /** Hands out sockets from a range; thread-safe. */
    public static final class Allocator {
        private final PortRange range;
        private final AtomicInteger next = new AtomicInteger();

        public Allocator(PortRange range) {
            this.range = range;
        }

        /** Opens a mux on the next free port of the range at {@code host}'s address. */
        public UdpMux open(String name, InetSocketAddress host) throws IOException {
            for (int tried = 0; tried < range.size(); tried++) {
                int port = range.first() + Math.floorMod(next.getAndIncrement(), range.size());
                try {
                    // One call's audio is ~50 datagrams a second: a small kernel buffer is plenty.
                    return UdpMux.open(name, new InetSocketAddress(host.getAddress(), port), 256 << 10);
                } catch (SocketException e) {
                    // taken (by another call, or by something else on the host): try the next one
                }
            }
            throw new IOException("no free UDP port in " + range.first() + "-" + range.last());
        }
    }
}
