package dev.wavoice.bench;

import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Offer to answer in process, the part of call setup that sits between WhatsApp's webhook and our
 * {@code pre_accept}: {@link WebRtcTransport#answer} on the WhatsApp fixture offer (parse, negotiate, ICE
 * credentials, register on the shared port, start the ICE agent, write the answer), then {@code close()} so
 * that the shared port does not accumulate endpoints across millions of invocations. SampleTime, because the
 * goal is a p99 (≤ 1 ms). The transport (port, ticker, certificate) is opened once, as a server does at start.
 *
 * <p>The fixture's candidate (203.0.113.60, a documentation address) is unreachable from the loopback-bound
 * port; the endpoint is closed long before its first paced check would matter.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class OfferToAnswerBenchmark {
    private static final MediaListener IGNORE = event -> { };

    WebRtcTransport transport;
    String offer;
    long calls;
    CpuSamples cpu;
    boolean measuring;

    @Setup(Level.Trial)
    public void open() throws IOException {
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        offer = WhatsAppOffer.sdp();
        CpuSamples.requireThreadCpuClock();
        cpu = new CpuSamples("offer to answer and close, calling thread");
    }

    /** Only measurement iterations feed the CPU figure. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        cpu.print(true);
        int left = transport.endpointCount();
        transport.close();
        if (left != 0) {
            throw new IllegalStateException(left + " endpoints were still registered: close() leaks");
        }
    }

    @Benchmark
    public int answerAndClose() throws SdpParseException, SdpNegotiationException {
        // Two thread-CPU clock reads (well under 1 µs) against an operation of tens of µs.
        long cpu0 = CpuSamples.threadCpuNanos();
        WebRtcEndpoint endpoint = transport.answer("bench-" + calls++, offer, IGNORE);
        int length = endpoint.localDescription().length();
        endpoint.close();
        if (measuring) {
            cpu.add(CpuSamples.threadCpuNanos() - cpu0);
        }
        return length;
    }
}
