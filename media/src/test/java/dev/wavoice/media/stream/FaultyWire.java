package dev.wavoice.media.stream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * A UDP path between two endpoints on loopback that can change what one side sends: each peer is told (in the SDP)
 * that the other sits on this wire's port facing it, so everything, ICE and DTLS included, passes through here.
 * SRTP datagrams from the caller to the server go through {@link #tamper}, which may drop, repeat, hold back or
 * replay them as they are on the wire (still encrypted and authenticated); {@link #cut} drops everything both ways,
 * as a caller that vanished.
 */
final class FaultyWire implements AutoCloseable {
    private final DatagramChannel facingServer;
    private final DatagramChannel facingCaller;
    private final Thread callerToServer;
    private final Thread serverToCaller;
    private volatile Function<byte[], List<byte[]>> tamper = List::of;
    private volatile boolean cut;

    FaultyWire(InetSocketAddress caller, InetSocketAddress server) throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.facingServer = DatagramChannel.open().bind(any);
        this.facingCaller = DatagramChannel.open().bind(any);
        this.callerToServer = Thread.ofPlatform().name("wire-to-server").daemon()
                .start(() -> pump(facingCaller, facingServer, server, true));
        this.serverToCaller = Thread.ofPlatform().name("wire-to-caller").daemon()
                .start(() -> pump(facingServer, facingCaller, caller, false));
    }

    /** The port the server must take for the caller's. */
    int portFacingServer() throws IOException {
        return ((InetSocketAddress) facingServer.getLocalAddress()).getPort();
    }

    /** The port the caller must take for the server's. */
    int portFacingCaller() throws IOException {
        return ((InetSocketAddress) facingCaller.getLocalAddress()).getPort();
    }

    /** What each SRTP datagram from the caller becomes on its way to the server (in the order returned). */
    void tamper(Function<byte[], List<byte[]>> f) {
        tamper = f;
    }

    /** From now on nothing passes either way, and nothing says why. */
    void cut() {
        cut = true;
    }

    private void pump(DatagramChannel from, DatagramChannel to, InetSocketAddress target, boolean fromCaller) {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buf.clear();
                from.receive(buf);
                buf.flip();
                if (cut) {
                    continue;
                }
                byte[] datagram = Arrays.copyOf(buf.array(), buf.limit());
                int first = datagram.length == 0 ? 0 : datagram[0] & 0xFF;
                boolean rtp = first >= 128 && first <= 191 && datagram.length > 1
                        && ((datagram[1] & 0x7F) < 72 || (datagram[1] & 0x7F) > 79); // not RTCP (RFC 5761)
                for (byte[] d : fromCaller && rtp ? tamper.apply(datagram) : List.of(datagram)) {
                    to.send(ByteBuffer.wrap(d), target);
                }
            }
        } catch (ClosedChannelException closed) {
            // the wire is taken down
        } catch (IOException e) {
            throw new IllegalStateException("wire " + (fromCaller ? "to server" : "to caller") + " failed", e);
        }
    }

    /** {@code sdp} with every mention of {@code port} (its candidates and m-line) replaced by {@code wirePort}. */
    static String rerouted(String sdp, int port, int wirePort) {
        return sdp.replaceAll("(?<=[ :])" + port + "(?=[ \r\n])", Integer.toString(wirePort));
    }

    @Override
    public void close() throws IOException {
        facingServer.close();
        facingCaller.close();
        try {
            callerToServer.join(2_000);
            serverToCaller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
