package dev.wavoice.bench;

import dev.wavoice.media.srtp.SrtpContext;
import dev.wavoice.media.srtp.SrtpProfile;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * SRTP protect of one 100-byte-payload RTP packet, in place, as the send path does it. Protect encrypts in
 * place, so each packet can be protected only once: every invocation protects a fresh batch of
 * {@value #BATCH} plain packets that the (untimed) per-invocation setup wrote, with sequence numbers that keep
 * increasing as a real stream's do. The batch makes JMH's per-invocation setup cost nothing per packet
 * (one timestamp pair per {@value #BATCH} packets), so the figure is protect alone, with no copy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SrtpProtectBenchmark {
    static final int BATCH = 1024;

    @Param({"AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"})
    public SrtpProfile profile;

    SrtpContext sender;
    RtpBatch batch;
    long failures;
    CpuSamples cpu;
    boolean measuring;

    @Setup(Level.Trial)
    public void open() {
        sender = RtpBatch.context(profile);
        batch = new RtpBatch(BATCH, profile.rtpOverhead());
        CpuSamples.requireThreadCpuClock();
        cpu = new CpuSamples("srtp " + profile + " protect, per packet");
    }

    /** Only measurement iterations feed the CPU figure. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void report() {
        cpu.print(false);
    }

    @Setup(Level.Invocation)
    public void nextPlainPackets() {
        batch.fillPlain();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long protect() {
        // One pair of thread-CPU clock reads per batch costs a few ns per packet, well inside the noise.
        long cpu0 = CpuSamples.threadCpuNanos();
        long bytes = 0;
        for (int i = 0; i < BATCH; i++) {
            int n = sender.protectRtp(batch.packets[i], 0, RtpBatch.PLAIN);
            if (n != RtpBatch.PLAIN + profile.rtpOverhead()) {
                failures++;
            }
            bytes += n;
        }
        if (measuring) {
            cpu.add((CpuSamples.threadCpuNanos() - cpu0) / (double) BATCH);
        }
        return bytes;
    }

    /** A dropped packet would be timed on the cheap drop path: refuse to report such a figure. */
    @TearDown(Level.Iteration)
    public void check() {
        if (failures > 0 || sender.stats().droppedTotal() > 0) {
            throw new IllegalStateException(failures + " packets were not protected: " + sender.stats());
        }
    }
}
