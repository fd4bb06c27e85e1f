package dev.wavoice.media.playout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tick-to-send jitter of the shared pacer with N simulated calls: each call has an {@link OutboundQueue}
 * fed in real time by one agent-side thread, and on each tick takes its frame, builds a ~120-byte packet,
 * AES-CTR encrypts it and checksums it (about the SRTP-sized work a call does on the pacer thread; the
 * JDK's HMAC allocates per call, which would hide the pacer's own zero).
 *
 * <pre>
 * mvn -B -q -pl media test-compile
 * java -cp media/target/classes:media/target/test-classes:$(ls ~/.m2/repository/org/slf4j/slf4j-api/2*&#47;*.jar) \
 *     dev.wavoice.media.playout.PacerBench [seconds=20] [calls=200] [spinMicros...=0 100]
 * </pre>
 */
public final class PacerBench {
    private static final long MS = 1_000_000L;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        List<Integer> spins = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            spins.add(Integer.parseInt(args[i]));
        }
        if (spins.isEmpty()) {
            spins = List.of(0, 100);
        }
        System.out.printf("PacerBench: %d calls, %d s per run, %d cpus, %s%n", calls, seconds,
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        run(calls, 3, 0, false); // warm-up
        for (int spin : spins) {
            run(calls, seconds, spin, true);
        }
    }

    private static void run(int calls, int seconds, int spinMicros, boolean print) throws Exception {
        PacerConfig config = PacerConfig.defaults().withSpin(Duration.ofNanos(spinMicros * 1_000L));
        Pacer pacer = new Pacer(config);
        LatenessHistogram send = new LatenessHistogram(5 * MS); // written only on the pacer thread
        OutboundQueue[] queues = new OutboundQueue[calls];
        AtomicLong pacerThread = new AtomicLong(-1); // written by the pacer thread, read here
        long ticksStart = 0;
        for (int c = 0; c < calls; c++) {
            OutboundQueue queue = new OutboundQueue(OutboundQueueConfig.opus48k());
            queues[c] = queue;
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"), new IvParameterSpec(new byte[16]));
            CRC32 crc = new CRC32();
            byte[] packet = new byte[160];
            byte[] wire = new byte[160]; // not in place: the JDK copies overlapping input first
            pacer.register(queue.pacedInto(new OutboundSink() {
                @Override
                public void send(OutboundFrame frame, long tickIndex, long nowNanos) {
                    short[] s = frame.samples();
                    for (int i = 0; i < 120; i++) { // stands in for the encoder's output
                        packet[12 + i] = (byte) (s[i * 8] ^ tickIndex);
                    }
                    finish(tickIndex);
                }

                @Override
                public void idle(long tickIndex, long nowNanos) {
                    finish(tickIndex);
                }

                private void finish(long tickIndex) {
                    try {
                        aes.update(packet, 12, 120, wire, 12); // SRTP's keystream pass
                    } catch (ShortBufferException e) {
                        throw new IllegalStateException(e);
                    }
                    crc.reset();
                    crc.update(wire, 0, 132); // stands in for the auth tag
                    wire[132] = (byte) crc.getValue();
                    send.record(System.nanoTime() - pacer.deadlineNanos(tickIndex));
                    if (pacerThread.get() < 0) {
                        pacerThread.set(Thread.currentThread().threadId());
                    }
                }
            }));
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        pacer.start();
        // One agent-side thread feeds every queue one frame per 20 ms, like agents streaming in real time.
        short[] frame = new short[960];
        long start = System.nanoTime();
        long end = start + seconds * 1_000 * MS;
        long allocStart = -1;
        long cpuStart = 0;
        for (long n = 1; System.nanoTime() < end; n++) {
            for (OutboundQueue q : queues) {
                q.offer(frame, 0, frame.length);
            }
            if (allocStart < 0 && pacerThread.get() >= 0) {
                allocStart = threads.getThreadAllocatedBytes(pacerThread.get());
                cpuStart = threads.getThreadCpuTime(pacerThread.get());
                ticksStart = pacer.stats().ticks();
            }
            LockSupport.parkNanos(start + n * 20 * MS - System.nanoTime());
        }
        long alloc = threads.getThreadAllocatedBytes(pacerThread.get()) - allocStart;
        long cpu = threads.getThreadCpuTime(pacerThread.get()) - cpuStart;
        long ticks = Math.max(1, pacer.stats().ticks() - ticksStart);
        pacer.close();
        if (!print) {
            return;
        }
        PacerStats s = pacer.stats();
        System.out.printf("spin %3d µs: ticks %d, tick lateness p50 %s p99 %s max %s, ticks > 5 ms %d, skipped %d%n",
                spinMicros, s.ticks(), us(s.latenessP50Nanos()), us(s.latenessP99Nanos()), us(s.latenessMaxNanos()),
                s.lateTicks(), s.skippedTicks());
        System.out.printf("            tick-to-send (all %d calls) p50 %s p99 %s max %s, frames > 5 ms %d of %d%n",
                calls, us(send.percentileNanos(0.5)), us(send.percentileNanos(0.99)), us(send.maxNanos()),
                send.lateCount(), send.count());
        System.out.printf("            pacer thread: %.1f µs CPU per tick (%.2f %% of a core), %.1f bytes allocated per tick%n",
                cpu / 1e3 / ticks, cpu / (ticks * 20e6) * 100, (double) alloc / ticks);
    }

    private static String us(long nanos) {
        return String.format("%.0f µs", nanos / 1e3);
    }
}
