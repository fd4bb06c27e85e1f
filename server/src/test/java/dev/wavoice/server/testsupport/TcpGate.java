package dev.wavoice.server.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP port forwarding to another one, that can be shut so that connecting to it is refused and every
 * connection through it is cut at once, then opened again on the same port. Closing an HTTP server's own listener
 * does not do this: its connections already open (a client's keep-alive pool) go on being served for a while.
 */
final class TcpGate implements AutoCloseable {
    private final int target;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    TcpGate(int target) throws IOException {
        this.target = target;
        this.listener = bind(0);
        this.port = listener.getLocalPort();
    }

    int port() {
        return port;
    }

    /** Connections are refused from now on, and those through the gate are closed. */
    synchronized void shut() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    synchronized void open() throws IOException {
        if (listener.isClosed()) {
            listener = bind(port);
        }
    }

    private ServerSocket bind(int onPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort));
        Thread.ofVirtual().name("tcp-gate-" + onPort).start(() -> accept(s));
        return s;
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                if (!admit(s, client)) {
                    return; // accepted as the gate was being shut: cut at once, never forwarded
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                if (!admit(s, upstream)) {
                    closeQuietly(client);
                    return;
                }
                Thread.ofVirtual().start(() -> pump(client, upstream));
                Thread.ofVirtual().start(() -> pump(upstream, client));
            } catch (IOException e) {
                return; // the listener was shut
            }
        }
    }

    /**
     * Registers a socket of {@code from}'s connection so that {@link #shut} cuts it, unless {@code from} has been shut
     * already: an accept that returned just as the gate shut would otherwise go on forwarding, unseen by shut.
     */
    private synchronized boolean admit(ServerSocket from, Socket socket) {
        if (from.isClosed()) {
            closeQuietly(socket);
            return false;
        }
        open.add(socket);
        return true;
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side closed; the finally closes both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        shut();
    }
}
