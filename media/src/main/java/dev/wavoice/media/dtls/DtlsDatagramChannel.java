package dev.wavoice.media.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Bridges the shared socket's push model to Bouncy Castle's pull-style {@link DatagramTransport}:
 * the mux thread pushes copies into a bounded queue (never blocking it: a full queue drops and
 * counts, and DTLS retransmission recovers); the handshake thread pulls with BC's timeouts.
 *
 * <p>BC hands over one record at a time, so a client's second flight (Certificate, ClientKeyExchange,
 * CertificateVerify, ChangeCipherSpec, Finished) would leave as five datagrams: five system calls here, five
 * wake-ups at the peer. Records are packed into one datagram up to the MTU (RFC 6347 §4.1.1 allows several
 * records per datagram; Pion, OpenSSL and BoringSSL pack theirs) and leave when BC turns to wait for the
 * peer ({@link #receive}), when the handshake returns ({@link #flush}) or at {@link #close}.
 */
final class DtlsDatagramChannel implements DatagramTransport {
    /** Largest datagram we accept: an Ethernet MTU's worth of UDP payload. */
    private static final int RECEIVE_LIMIT = 1500;
    private static final byte[] CLOSED = new byte[0];

    private final ArrayBlockingQueue<byte[]> queue;
    private final DatagramSender sender;
    private final int mtu;
    private volatile boolean closed;
    /** Records not yet sent; guarded by {@link #sendLock} (close_notify may come from a thread of the caller's). */
    private final byte[] pending;
    private int pendingLength;
    private final ReentrantLock sendLock = new ReentrantLock();
    final AtomicLong received = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong droppedFull = new AtomicLong();
    final AtomicLong droppedClosed = new AtomicLong();
    /**
     * Written only by the thread that pulls (the handshake's, then the watcher's): how long it has waited for
     * the peer, and how often a wait ended with nothing, i.e. BC's retransmission timer fired. Together with
     * the handshake's wall time they say whether a slow handshake waited on the peer or on our own thread.
     */
    private volatile long waitedNanos;
    private volatile int emptyWaits;

    DtlsDatagramChannel(DatagramSender sender, int mtu, int capacity) {
        this.sender = sender;
        this.mtu = mtu;
        this.pending = new byte[mtu];
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // +1 keeps room for the close marker
    }

    /** Called by the receive thread; copies because the caller reuses {@code buf}. */
    void offer(byte[] buf, int off, int len) {
        if (closed) {
            droppedClosed.incrementAndGet();
            return;
        }
        if (buf == null || off < 0 || len <= 0 || len > RECEIVE_LIMIT || off + len > buf.length) {
            droppedFull.incrementAndGet();
            return;
        }
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        // Counted before it is queued: the handshake may take it and report its counts before offer() returns.
        received.incrementAndGet();
        if (queue.remainingCapacity() <= 1 || !queue.offer(copy)) {
            received.decrementAndGet();
            droppedFull.incrementAndGet();
        }
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return mtu;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        flush(); // BC waits for the peer only once its flight is complete
        if (closed && queue.isEmpty()) {
            throw new ChannelClosedException();
        }
        byte[] datagram = queue.poll();
        if (datagram == null) {
            long before = System.nanoTime();
            try {
                datagram = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("DTLS receive interrupted");
            } finally {
                waitedNanos += System.nanoTime() - before;
            }
            if (datagram == null) {
                emptyWaits++;
                return -1;
            }
        }
        if (datagram == CLOSED) {
            throw new ChannelClosedException();
        }
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            return;
        }
        sendLock.lock();
        try {
            if (pendingLength + len > pending.length) {
                flushLocked();
            }
            if (len > pending.length) {
                sendNow(buf, off, len); // BC keeps records within getSendLimit(); never packed, still sent
                return;
            }
            System.arraycopy(buf, off, pending, pendingLength, len);
            pendingLength += len;
        } finally {
            sendLock.unlock();
        }
    }

    /** Sends the records packed so far as one datagram. */
    void flush() {
        sendLock.lock();
        try {
            flushLocked();
        } finally {
            sendLock.unlock();
        }
    }

    private void flushLocked() {
        if (pendingLength > 0 && !closed) {
            sendNow(pending, 0, pendingLength);
        }
        pendingLength = 0;
    }

    private void sendNow(byte[] buf, int off, int len) {
        sender.send(buf, off, len);
        sent.incrementAndGet();
    }

    /**
     * Sends what is packed (a close_notify), then stops the channel; a thread blocked in {@link #receive}
     * wakes with {@link ChannelClosedException}.
     */
    @Override
    public void close() {
        if (!closed) {
            flush();
            closed = true;
            queue.clear();
            queue.offer(CLOSED);
        }
    }

    /** Nanoseconds the pulling thread has spent blocked in {@link #receive} so far. */
    long waitedNanos() {
        return waitedNanos;
    }

    /** Waits in {@link #receive} that ended without a datagram (a retransmission timer, or the handshake's end). */
    int emptyWaits() {
        return emptyWaits;
    }

    boolean isClosed() {
        return closed;
    }

    /** Thrown into BC's receive loop when we shut the endpoint down. */
    static final class ChannelClosedException extends IOException {
        private static final long serialVersionUID = 1L;

        ChannelClosedException() {
            super("DTLS channel closed locally");
        }
    }
}
