package dev.wavoice.media.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * A real UDP socket on 127.0.0.1 feeding one endpoint, as the shared-port mux will: a receive
 * thread pushes each datagram into {@link DtlsEndpoint#onDatagram} from one reused buffer.
 */
final class UdpLoopback implements DatagramSender, AutoCloseable {
    private final DatagramSocket socket;
    private volatile SocketAddress peer;
    private volatile DtlsEndpoint endpoint;
    private final Thread receiver;

    UdpLoopback(SocketAddress peer) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.peer = peer;
        this.receiver = Thread.ofPlatform().daemon().name("udp-loopback").start(this::receiveLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    void deliverTo(DtlsEndpoint e) {
        this.endpoint = e;
    }

    static int freePort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        SocketAddress to = peer;
        if (to == null) {
            return;
        }
        try {
            socket.send(new DatagramPacket(buf, off, len, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buf.length);
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            if (peer == null) {
                peer = packet.getSocketAddress(); // server role: learn the client's address
            }
            DtlsEndpoint e = endpoint;
            if (e != null) {
                e.onDatagram(buf, packet.getOffset(), packet.getLength());
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        receiver.interrupt();
    }
}
