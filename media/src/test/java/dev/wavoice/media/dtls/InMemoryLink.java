package dev.wavoice.media.dtls;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

/**
 * One direction of an in-memory datagram link between two endpoints, optionally lossy:
 * {@code drop} sees the 1-based number of each datagram and says whether to lose it.
 */
final class InMemoryLink implements DatagramSender {
    private final AtomicReference<DtlsEndpoint> target = new AtomicReference<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private final AtomicInteger largest = new AtomicInteger();
    private final Rule drop;

    /** Decides the fate of one datagram: its 1-based number on this link and its bytes. */
    @FunctionalInterface
    interface Rule {
        boolean drop(int number, byte[] buf, int off, int len);
    }

    InMemoryLink(IntPredicate dropByNumber) {
        this.drop = (n, b, o, l) -> dropByNumber.test(n);
    }

    InMemoryLink(Rule drop) {
        this.drop = drop;
    }

    /** Loses only the first datagram that begins with a ChangeCipherSpec record (a final flight). */
    static InMemoryLink losingFirstChangeCipherSpec() {
        AtomicInteger seen = new AtomicInteger();
        return new InMemoryLink((n, b, o, l) -> b[o] == 20 && seen.getAndIncrement() == 0);
    }

    static InMemoryLink perfect() {
        return new InMemoryLink(n -> false);
    }

    void connectTo(DtlsEndpoint endpoint) {
        target.set(endpoint);
    }

    /** Size of the largest datagram sent on this link. */
    int largest() {
        return largest.get();
    }

    int dropped() {
        return dropped.get();
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        int n = count.incrementAndGet();
        largest.accumulateAndGet(len, Math::max);
        if (drop.drop(n, buf, off, len)) {
            dropped.incrementAndGet();
            return;
        }
        DtlsEndpoint t = target.get();
        if (t != null) {
            t.onDatagram(buf, off, len);
        }
    }
}
