package dev.wavoice.server.doctor;

import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** A STUN server on loopback that tells every Binding request it sees the address it was given (a NAT's mapping). */
final class StunResponder implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress mapped;

    StunResponder(InetSocketAddress mapped) throws IOException {
        this.mapped = mapped;
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(this::serve);
    }

    String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
                StunMessage m = StunMessage.parse(buf, 0, in.getLength());
                if (m != null && m.isBindingRequest()) {
                    byte[] out = StunMessageBuilder.bindingSuccess(m.transactionId())
                            .add(new StunAttribute.XorMappedAddress(mapped)).encode(null, true);
                    socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
                }
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
