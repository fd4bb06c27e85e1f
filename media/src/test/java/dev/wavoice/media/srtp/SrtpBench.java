package dev.wavoice.media.srtp;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/**
 * Cost of protect and unprotect for a 100-byte RTP payload, and bytes allocated per packet.
 * A measurement, not a test (no timing assertions anywhere). Run after {@code mvn -pl media test-compile}:
 * <pre>
 * mvn -q -pl media dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp media/target/test-classes:media/target/classes:$(cat /tmp/cp.txt) dev.wavoice.media.srtp.SrtpBench
 * </pre>
 * {@link JitsiSrtpProbe} measures org.jitsi:jitsi-srtp the same way.
 */
public final class SrtpBench {
    private SrtpBench() {}

    /** Result of one measured round. */
    public record Round(SrtpProfile profile, long protectNs, long unprotectNs, double bytesPerPacket) {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        for (SrtpProfile profile : SrtpProfile.values()) {
            for (int round = 0; round < 5; round++) {
                Round r = measure(profile, n);
                System.out.printf("wavoice %-24s round %d: protect %5d ns/op, unprotect %5d ns/op, %.1f bytes allocated/packet%n",
                        profile, round, r.protectNs(), r.unprotectNs(), r.bytesPerPacket());
            }
        }
    }

    /**
     * Protects a batch of consecutive packets, then unprotects the batch, timing each pass as a
     * whole so clock reads do not inflate a sub-microsecond operation; repeated to {@code n}.
     */
    public static Round measure(SrtpProfile profile, int n) {
        final int batch = 256;
        byte[] key = new byte[profile.keyLength()];
        byte[] salt = new byte[profile.saltLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7);
        }
        SrtpContext tx = SrtpContext.create(profile, key, salt, SrtpOptions.defaults());
        SrtpContext rx = SrtpContext.create(profile, key, salt, SrtpOptions.defaults());
        byte[] plain = new byte[112]; // 12-byte header + 100-byte payload
        plain[0] = (byte) 0x80;
        plain[1] = 111;
        plain[11] = 0x42;
        byte[][] bufs = new byte[batch][1500];
        int[] lens = new int[batch];
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long protectNs = 0;
        long unprotectNs = 0;
        int seq = 0;
        int done = 0;
        long before = mx.getThreadAllocatedBytes(tid);
        while (done < n) {
            for (int i = 0; i < batch; i++, seq++) {
                plain[2] = (byte) (seq >>> 8);
                plain[3] = (byte) seq;
                System.arraycopy(plain, 0, bufs[i], 0, plain.length);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                lens[i] = tx.protectRtp(bufs[i], 0, plain.length);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                lens[i] = rx.unprotectRtp(bufs[i], 0, lens[i]);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                if (lens[i] != plain.length) {
                    throw new IllegalStateException("round trip failed at packet " + (done + i));
                }
            }
            protectNs += t1 - t0;
            unprotectNs += t2 - t1;
            done += batch;
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        return new Round(profile, protectNs / done, unprotectNs / done, allocated / (double) done);
    }
}
