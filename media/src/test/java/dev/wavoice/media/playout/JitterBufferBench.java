package dev.wavoice.media.playout;

import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Cost of one 20 ms frame through the jitter buffer: one {@code put} plus one {@code poll}, with 5 %
 * loss and occasional reordering so the FEC/PLC branches run too; nanoseconds and bytes allocated per pair.
 *
 * <pre>
 * mvn -B -q -pl media test-compile
 * java -cp media/target/classes:media/target/test-classes:$(ls ~/.m2/repository/org/slf4j/slf4j-api/2*&#47;*.jar) \
 *     dev.wavoice.media.playout.JitterBufferBench
 * </pre>
 */
public final class JitterBufferBench {
    private static final int OPS = 5_000_000;

    public static void main(String[] args) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        // Pre-built arrival script (seq order with swaps and holes), reused every round.
        int n = 1 << 16;
        int[] seqs = new int[n];
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            seqs[i] = i;
        }
        for (int i = 1; i < n; i++) {
            if (random.nextInt(20) == 0) {
                int t = seqs[i];
                seqs[i] = seqs[i - 1];
                seqs[i - 1] = t;
            }
        }
        boolean[] lostMask = new boolean[n];
        for (int i = 0; i < n; i++) {
            lostMask[i] = random.nextInt(20) == 0;
        }
        byte[] payload = new byte[120];
        random.nextBytes(payload);
        long sink = 0;
        for (int round = 0; round < 6; round++) {
            JitterBuffer buffer = new JitterBuffer(JitterBufferConfig.opus());
            long alloc = threads.getThreadAllocatedBytes(self);
            long t0 = System.nanoTime();
            for (int i = 0; i < OPS; i++) {
                int k = i & (n - 1);
                int seq = i - k + seqs[k]; // the script repeats; sequence numbers keep moving
                if (!lostMask[k]) {
                    buffer.put(seq & 0xFFFF, (long) seq * 960, payload, 0, payload.length, i * 20_000_000L);
                }
                Playout p = buffer.poll(i * 20_000_000L + 10_000_000L);
                sink += p.samples();
            }
            long nanos = System.nanoTime() - t0;
            alloc = threads.getThreadAllocatedBytes(self) - alloc;
            JitterBufferStats s = buffer.stats();
            System.out.printf("round %d: %.1f ns per put+poll, %.4f bytes allocated per put+poll "
                    + "(lost %d, fec %d, concealed %d, late %d, drift %d)%n", round, (double) nanos / OPS,
                    (double) alloc / OPS, s.lost(), s.fecRecovered(), s.concealed(), s.late(), s.driftAdjusted());
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
