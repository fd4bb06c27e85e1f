package dev.wavoice.media.dtls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * CPU of a DTLS-SRTP handshake on the threads the server really uses (virtual by default), our client
 * against our server over real UDP on 127.0.0.1. A measurement, not a test. The CPU of the threads that
 * are neither the JIT, the GC nor the VM is summed from {@code /proc/self/task/}{@code *}{@code /schedstat}
 * (a virtual thread has no CPU clock of its own; its carriers do), so it counts both ends plus the two
 * receive threads, as the server would. Run after {@code mvn -o -q package -DskipTests}:
 * <pre>
 * java -cp media/target/test-classes:bench/target/benchmarks.jar dev.wavoice.media.dtls.DtlsHandshakeCpuProbe \
 *     [handshakes=300] [virtual|platform] [rounds=4] [udp|memory]
 * </pre>
 * With platform threads it also prints each end's handshake-thread CPU (read when it reports Connected, on that
 * thread), the figure the JMH {@code DtlsHandshakeBenchmark} reports, so the two can be set side by side.
 */
public final class DtlsHandshakeCpuProbe {
    private DtlsHandshakeCpuProbe() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        boolean virtual = args.length <= 1 || args[1].equals("virtual");
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        boolean udp = args.length <= 3 || args[3].equals("udp");
        ThreadFactory threads = virtual ? Thread.ofVirtual().name("dtls-", 0).factory()
                : Thread.ofPlatform().daemon().name("dtls-", 0).factory();
        DtlsConfig config = DtlsConfig.defaults().withThreads(threads);
        DtlsCertificate clientCert = DtlsCertificate.generate();
        DtlsCertificate serverCert = DtlsCertificate.generate();
        for (int round = 0; round < rounds; round++) {
            long[] cpu0 = ownAndAll();
            long[] each = new long[n];
            long[] threadCpu = new long[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                threadCpu[i] = udp ? handshakeOverUdp(clientCert, serverCert, config)
                        : handshakeInMemory(clientCert, serverCert, config);
                each[i] = System.nanoTime() - t0;
            }
            long[] cpu = ownAndAll();
            Arrays.sort(each);
            Arrays.sort(threadCpu);
            System.out.printf("%s threads, %s, round %d (%d handshakes): wall p50 %.2f ms, p99 %.2f ms; CPU per "
                            + "handshake (both ends) %.2f ms without JIT/GC, %.2f ms in all; handshake threads' CPU "
                            + "p50 %s; load %s%n",
                    virtual ? "virtual" : "platform", udp ? "UDP" : "in memory", round, n, each[n / 2] / 1e6,
                    each[(int) (n * 0.99)] / 1e6, (cpu[0] - cpu0[0]) / 1e6 / n, (cpu[1] - cpu0[1]) / 1e6 / n,
                    virtual ? "n/a (virtual)" : String.format("%.2f ms (both ends)", threadCpu[n / 2] / 1e6),
                    Files.readString(Path.of("/proc/loadavg")).strip());
        }
    }

    /** Returns the two handshake threads' CPU (platform threads), or 0. */
    private static long handshakeInMemory(DtlsCertificate clientCert, DtlsCertificate serverCert, DtlsConfig config)
            throws Exception {
        BlockingQueue<Long> cpu = new LinkedBlockingQueue<>();
        InMemoryLink c2s = InMemoryLink.perfect();
        InMemoryLink s2c = InMemoryLink.perfect();
        try (DtlsEndpoint server = DtlsEndpoint.create("probe-s", DtlsRole.SERVER, serverCert,
                     clientCert.fingerprint(), s2c, config, e -> cpu.add(connectedCpu(e)));
             DtlsEndpoint client = DtlsEndpoint.create("probe-c", DtlsRole.CLIENT, clientCert,
                     serverCert.fingerprint(), c2s, config, e -> cpu.add(connectedCpu(e)))) {
            c2s.connectTo(server);
            s2c.connectTo(client);
            server.start();
            client.start();
            long sum = 0;
            for (int i = 0; i < 2; i++) {
                Long c = cpu.poll(10, TimeUnit.SECONDS);
                if (c == null || c < 0) {
                    throw new IllegalStateException("handshake did not connect");
                }
                sum += c;
            }
            return sum;
        }
    }

    /** The calling thread's CPU if {@code e} is Connected (0 on a virtual thread), else -1. */
    private static long connectedCpu(DtlsEvent e) {
        if (!(e instanceof DtlsEvent.Connected)) {
            return -1;
        }
        return Thread.currentThread().isVirtual() ? 0
                : java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long handshakeOverUdp(DtlsCertificate clientCert, DtlsCertificate serverCert, DtlsConfig config)
            throws Exception {
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        try (UdpLoopback serverSide = new UdpLoopback(null)) {
            try (UdpLoopback clientSide = new UdpLoopback(
                         new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), serverSide.port()));
                 DtlsEndpoint server = DtlsEndpoint.create("probe-s", DtlsRole.SERVER, serverCert,
                         clientCert.fingerprint(), serverSide, config, events::add);
                 DtlsEndpoint client = DtlsEndpoint.create("probe-c", DtlsRole.CLIENT, clientCert,
                         serverCert.fingerprint(), clientSide, config, events::add)) {
                serverSide.deliverTo(server);
                clientSide.deliverTo(client);
                server.start();
                client.start();
                DtlsHandshakeBench.awaitBothConnected(events);
            }
        }
        return 0;
    }

    /**
     * {without JIT/GC/VM threads, all} CPU nanoseconds of this process. The process clock keeps the time of
     * threads that ended (each handshake's own); the JIT, GC and VM threads live on and are read one by one.
     */
    private static long[] ownAndAll() throws IOException {
        long all = ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long jitAndGc = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler") || name.startsWith("G1 ")
                            || name.startsWith("GC ") || name.startsWith("VM Thread")) {
                        String line = Files.readString(task.resolve("schedstat"));
                        jitAndGc += Long.parseLong(line.substring(0, line.indexOf(' ')));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            }
        }
        return new long[] {all - jitAndGc, all};
    }
}
