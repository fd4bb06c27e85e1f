package dev.wavoice.bench;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What one ICE consent or connectivity check costs on the packet path (RFC 7675 sends one every ~5 s per call,
 * and a full-ICE peer sends us the same): decoding the Binding request with its FINGERPRINT (CRC-32, checked
 * inside {@link StunMessage#parse}) and verifying MESSAGE-INTEGRITY (HMAC-SHA1 with our password), exactly the
 * two calls {@code IceAgent.handleStun} and {@code IceRequests} make; the same for the success response our own
 * consent check gets back from WhatsApp's ICE-lite edge; and building the request we send.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StunConsentCheckBenchmark {
    /** A WhatsApp-shaped ufrag (with the '/' its edge uses) and 32-character passwords, as in the fixture offer. */
    static final String REMOTE_UFRAG = "Qm7rT2xKp9Lw/4";
    static final String LOCAL_UFRAG = "wv3Kq9Tz";
    static final String LOCAL_PWD = "bR4vN8qZ1yXc6tHj2kLm9pSd3fGw7eAu";
    static final String REMOTE_PWD = "x7Hc2LpQ9wEr4TyU8iOa1SdF6gJk3ZmN";

    byte[] request;
    byte[] response;
    MessageIntegrity localKey;
    MessageIntegrity remoteKey;
    TransactionId transactionId;
    long tieBreaker;
    CpuSamples cpu;
    boolean measuring;
    long operations;
    long iterationCpu;

    /**
     * CPU per operation for each measurement iteration: the thread's CPU clock over the iteration divided by the
     * calls counted, so JMH's loop and blackhole (a few ns) are in it too.
     */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
        operations = 0;
        iterationCpu = CpuSamples.threadCpuNanos();
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        if (measuring && operations > 0) {
            cpu.add((CpuSamples.threadCpuNanos() - iterationCpu) / (double) operations);
        }
    }

    /** The three benchmarks share this class: the line names the one that ran. */
    @TearDown(Level.Trial)
    public void report(BenchmarkParams params) {
        System.out.println();
        System.out.println(params.getBenchmark() + " " + cpu.summary(false));
    }

    @Setup(Level.Trial)
    public void setUp() {
        CpuSamples.requireThreadCpuClock();
        cpu = new CpuSamples("per operation (one sample per iteration)");
        SplittableRandom random = new SplittableRandom(7);
        transactionId = TransactionId.random(random);
        tieBreaker = random.nextLong();
        localKey = MessageIntegrity.shortTerm(LOCAL_PWD);
        remoteKey = MessageIntegrity.shortTerm(REMOTE_PWD);
        // A check to us from a full-ICE controlling peer: USERNAME is "ourUfrag:theirUfrag", signed with our password.
        request = StunMessageBuilder.bindingRequest(transactionId)
                .add(new StunAttribute.Username(LOCAL_UFRAG + ":" + REMOTE_UFRAG))
                .add(new StunAttribute.Priority(1853824767L))
                .add(new StunAttribute.IceControlling(tieBreaker))
                .add(new StunAttribute.UseCandidate())
                .encode(localKey, true);
        // The edge's answer to our consent check: XOR-MAPPED-ADDRESS, signed with its password.
        response = StunMessageBuilder.bindingSuccess(transactionId)
                .add(new StunAttribute.XorMappedAddress(new InetSocketAddress("198.51.100.7", 50123)))
                .encode(remoteKey, true);
        if (!parseAndVerifyRequest() || !parseAndVerifyResponse()) {
            throw new IllegalStateException("the benchmark's own STUN messages do not verify");
        }
    }

    /** Returns the verdict so JMH consumes it and the JIT cannot drop the work. */
    @Benchmark
    public boolean parseAndVerifyRequest() {
        operations++;
        StunMessage m = StunMessage.parse(request, 0, request.length);
        return m != null && m.isBindingRequest() && localKey.verify(request, 0, m);
    }

    @Benchmark
    public boolean parseAndVerifyResponse() {
        operations++;
        StunMessage m = StunMessage.parse(response, 0, response.length);
        return m != null && remoteKey.verify(response, 0, m);
    }

    /** What the ICE agent does for each check or consent request it sends (IceMessages.check). */
    @Benchmark
    public byte[] buildRequest() {
        operations++;
        return StunMessageBuilder.bindingRequest(transactionId)
                .add(new StunAttribute.Username(REMOTE_UFRAG + ":" + LOCAL_UFRAG))
                .add(new StunAttribute.Priority(1853824767L))
                .add(new StunAttribute.IceControlling(tieBreaker))
                .encode(remoteKey, true);
    }
}
