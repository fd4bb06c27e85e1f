package dev.wavoice.media.playout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/** A scripted inbound stream on a fake clock: packets with arrival times, then a 20 ms playout loop. */
final class JitterTraffic {
    static final long MS = 1_000_000L;

    record Arrival(long arrivalNanos, int seq, long timestamp, byte[] payload) {}

    final List<Arrival> arrivals = new ArrayList<>();
    final Random random;

    JitterTraffic(long seed) {
        this.random = new Random(seed);
    }

    /** A payload that names its packet: bytes 0-1 are the sequence number, length varies like VBR Opus. */
    static byte[] payload(int seq, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) (seq >> 8);
        p[1] = (byte) seq;
        for (int i = 2; i < length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    static int seqOf(PayloadView view) {
        return ((view.array()[0] & 0xFF) << 8) | (view.array()[1] & 0xFF);
    }

    /**
     * Sends {@code count} frames of {@code frameSamples} starting at {@code firstSeq}, the sender clock
     * running {@code drift} fast (0.005 = 0.5 %), each delayed by {@code baseDelayMs} plus {@code jitter}.
     */
    JitterTraffic send(int firstSeq, long firstTs, int count, int frameSamples, long startNanos, double drift,
            Jitter jitter) {
        double framePeriodNanos = frameSamples * 1e9 / 48_000 / (1 + drift);
        for (int n = 0; n < count; n++) {
            int seq = (firstSeq + n) & 0xFFFF;
            long sendAt = startNanos + (long) (n * framePeriodNanos);
            long ts = (firstTs + (long) n * frameSamples) & 0xFFFF_FFFFL;
            arrivals.add(new Arrival(sendAt + 10 * MS + jitter.delayNanos(random, n), seq, ts,
                    payload(seq, 30 + random.nextInt(90))));
        }
        return this;
    }

    JitterTraffic drop(double probability) {
        arrivals.removeIf(a -> random.nextDouble() < probability);
        return this;
    }

    /** Replays packets in arrival order and polls once per frame until {@code endNanos}. */
    void play(JitterBuffer buffer, long endNanos, Consumer<Playout> out) {
        arrivals.sort(Comparator.comparingLong(Arrival::arrivalNanos));
        int next = 0;
        // The playout side polls once per frame duration, as the buffer currently measures it.
        for (long now = 20 * MS; now <= endNanos; now += buffer.frameSamples() * 1_000_000_000L / 48_000) {
            while (next < arrivals.size() && arrivals.get(next).arrivalNanos() <= now) {
                Arrival a = arrivals.get(next++);
                buffer.put(a.seq(), a.timestamp(), a.payload(), 0, a.payload().length, a.arrivalNanos());
            }
            out.accept(buffer.poll(now));
        }
    }

    @FunctionalInterface
    interface Jitter {
        long delayNanos(Random random, int n);

        Jitter NONE = (r, n) -> 0;

        static Jitter uniform(long maxMs) {
            return (r, n) -> (long) (r.nextDouble() * maxMs * MS);
        }
    }
}
