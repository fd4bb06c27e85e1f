package dev.wavoice.media.dtls;

import java.lang.management.ManagementFactory;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Time and CPU of a complete DTLS-SRTP handshake, our client against our server in memory
 * (ECDSA P-256, ECDHE, use_srtp, exporter). A measurement, not a test. CPU is the whole process
 * divided by handshakes, so it counts both ends. Run after {@code mvn -pl media test-compile}:
 * <pre>
 * java -cp media/target/test-classes:media/target/classes:$(cat /tmp/cp.txt) dev.wavoice.media.dtls.DtlsHandshakeBench
 * </pre>
 */
public final class DtlsHandshakeBench {
    private DtlsHandshakeBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        DtlsCertificate clientCert = DtlsCertificate.generate();
        DtlsCertificate serverCert = DtlsCertificate.generate();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < 3; round++) {
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            long[] each = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                handshake(clientCert, serverCert);
                each[i] = System.nanoTime() - t0;
            }
            long wall = System.nanoTime() - wall0;
            long cpu = os.getProcessCpuTime() - cpu0;
            java.util.Arrays.sort(each);
            System.out.printf("dtls handshake round %d: wall mean %.2f ms, p50 %.2f ms, p99 %.2f ms; "
                            + "process CPU %.2f ms per handshake (both ends)%n",
                    round, wall / 1e6 / n, each[n / 2] / 1e6, each[(int) (n * 0.99)] / 1e6, cpu / 1e6 / n);
        }
    }

    /** Both ends of an in-process handshake reported {@link DtlsEvent.Connected}, or this throws. */
    static void awaitBothConnected(BlockingQueue<DtlsEvent> events) throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            DtlsEvent e = events.poll(10, TimeUnit.SECONDS);
            if (!(e instanceof DtlsEvent.Connected)) {
                throw new IllegalStateException("handshake did not connect: " + e);
            }
        }
    }

    private static void handshake(DtlsCertificate clientCert, DtlsCertificate serverCert) throws Exception {
        InMemoryLink c2s = InMemoryLink.perfect();
        InMemoryLink s2c = InMemoryLink.perfect();
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        DtlsConfig config = DtlsConfig.defaults();
        try (DtlsEndpoint server = DtlsEndpoint.create("bench-s", DtlsRole.SERVER, serverCert,
                     clientCert.fingerprint(), s2c, config, events::add);
             DtlsEndpoint client = DtlsEndpoint.create("bench-c", DtlsRole.CLIENT, clientCert,
                     serverCert.fingerprint(), c2s, config, events::add)) {
            c2s.connectTo(server);
            s2c.connectTo(client);
            server.start();
            client.start();
            DtlsHandshakeBench.awaitBothConnected(events);
        }
    }
}
