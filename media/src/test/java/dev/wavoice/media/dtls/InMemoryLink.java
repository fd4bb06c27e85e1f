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
    private final IntPredicate drop;

    InMemoryLink(IntPredicate drop) {
        this.drop = drop;
    }

    static InMemoryLink perfect() {
        return new InMemoryLink(n -> false);
    }

    void connectTo(DtlsEndpoint endpoint) {
        target.set(endpoint);
    }

    int dropped() {
        return dropped.get();
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        int n = count.incrementAndGet();
        if (drop.test(n)) {
            dropped.incrementAndGet();
            return;
        }
        DtlsEndpoint t = target.get();
        if (t != null) {
            t.onDatagram(buf, off, len);
        }
    }
}
