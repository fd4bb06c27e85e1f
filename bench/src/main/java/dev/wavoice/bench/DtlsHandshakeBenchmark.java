package dev.wavoice.bench;

import dev.wavoice.media.dtls.DatagramSender;
import dev.wavoice.media.dtls.DtlsCertificate;
import dev.wavoice.media.dtls.DtlsConfig;
import dev.wavoice.media.dtls.DtlsEndpoint;
import dev.wavoice.media.dtls.DtlsEvent;
import dev.wavoice.media.dtls.DtlsRole;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
 * One complete DTLS-SRTP handshake (ECDHE with ECDSA P-256 certificates, use_srtp, fingerprint check, key
 * export), our client against our server, datagrams handed over in memory so no socket or loss is involved.
 * JMH times the wall clock per handshake (both ends, thread hand-offs included); the CPU each side burnt is
 * read from its handshake thread's CPU clock when it reports Connected (the listener runs on that thread), and
 * printed as percentiles at the end of the trial, because JMH's own results only know wall time.
 *
 * <p>Platform threads instead of the default virtual ones: only a platform thread has a CPU clock to read, and
 * JMH's {@code -prof gc} counts their allocation. Certificates are made once, as the transport does per process.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class DtlsHandshakeBenchmark {
    DtlsCertificate clientCertificate;
    DtlsCertificate serverCertificate;
    DtlsConfig config;
    CpuSamples clientCpu;
    CpuSamples serverCpu;
    boolean measuring;

    @Setup(Level.Trial)
    public void certificates() {
        clientCertificate = DtlsCertificate.generate();
        serverCertificate = DtlsCertificate.generate();
        config = DtlsConfig.defaults().withThreads(Thread.ofPlatform().daemon().name("bench-dtls-", 0).factory());
        CpuSamples.requireThreadCpuClock();
        clientCpu = new CpuSamples("dtls handshake, client thread");
        serverCpu = new CpuSamples("dtls handshake, server thread");
    }

    /** Only measurement iterations feed the CPU figures; JMH calls iteration setup before warm-up ones too. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void report() {
        clientCpu.print(true);
        serverCpu.print(true);
        CpuSamples.sum("dtls handshake, both ends", clientCpu, serverCpu).print(true);
    }

    @Benchmark
    public void handshake() throws InterruptedException {
        BlockingQueue<Long> clientDone = new ArrayBlockingQueue<>(1);
        BlockingQueue<Long> serverDone = new ArrayBlockingQueue<>(1);
        Link toServer = new Link();
        Link toClient = new Link();
        try (DtlsEndpoint server = DtlsEndpoint.create("bench-server", DtlsRole.SERVER, serverCertificate,
                clientCertificate.fingerprint(), toClient, config, e -> onEvent(e, serverDone));
             DtlsEndpoint client = DtlsEndpoint.create("bench-client", DtlsRole.CLIENT, clientCertificate,
                     serverCertificate.fingerprint(), toServer, config, e -> onEvent(e, clientDone))) {
            toServer.peer = server;
            toClient.peer = client;
            server.start();
            client.start();
            long c = await(clientDone, "client");
            long s = await(serverDone, "server");
            if (measuring) {
                clientCpu.add(c);
                serverCpu.add(s);
            }
        }
    }

    private void onEvent(DtlsEvent event, BlockingQueue<Long> done) {
        // Negative CPU time marks a failure; await() turns it into an exception on the benchmark thread.
        done.offer(event instanceof DtlsEvent.Connected ? CpuSamples.threadCpuNanos() : -1L);
    }

    private static long await(BlockingQueue<Long> done, String side) throws InterruptedException {
        Long cpu = done.poll(10, TimeUnit.SECONDS);
        if (cpu == null || cpu < 0) {
            throw new IllegalStateException("the DTLS " + side + " did not connect");
        }
        return cpu;
    }

    /** One direction of an in-memory datagram link: the receiving endpoint copies the datagram at once. */
    static final class Link implements DatagramSender {
        volatile DtlsEndpoint peer;

        @Override
        public void send(byte[] buf, int off, int len) {
            peer.onDatagram(buf, off, len);
        }
    }
}
