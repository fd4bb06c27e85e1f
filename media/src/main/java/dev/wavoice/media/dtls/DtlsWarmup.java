package dev.wavoice.media.dtls;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handshakes our client against our server in memory, one after another on one background thread, so that
 * the JIT compiles Bouncy Castle's handshake code before calls need it. Measured: a cold process spends
 * about 2.7× the warm CPU on each of its first 300 handshakes, plus as much again in the compiler threads,
 * and is warm only after about 1,500; a server taking 10 calls a second pays that on the calls of its
 * first minutes, when the compiler also competes with them for the cores.
 *
 * <p>The handshakes run on {@link DtlsConfig#threads()} (virtual by default), as calls' do, so the code
 * compiled is the code calls run. They log nothing per handshake: one line when done.
 */
public final class DtlsWarmup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsWarmup.class);

    private final int handshakes;
    private final DtlsConfig config;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile boolean stopped;
    private volatile int completed;

    private DtlsWarmup(int handshakes, DtlsConfig config) {
        this.handshakes = handshakes;
        this.config = config;
    }

    /** Starts {@code handshakes} in-memory handshakes on a background daemon thread; 0 does nothing. */
    public static DtlsWarmup start(int handshakes, DtlsConfig config) {
        if (handshakes < 0) {
            throw new IllegalArgumentException("handshakes must be >= 0: " + handshakes);
        }
        DtlsWarmup warmup = new DtlsWarmup(handshakes, config);
        if (handshakes == 0) {
            warmup.finished.complete(null);
        } else {
            Thread.ofPlatform().daemon().name("dtls-warmup").start(warmup::run);
        }
        return warmup;
    }

    /** Handshakes completed so far. */
    public int completed() {
        return completed;
    }

    /** Waits until the warm-up has finished or was stopped; false if it had not by then. */
    public boolean await(Duration timeout) throws InterruptedException {
        try {
            finished.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        }
    }

    /** Completes when the warm-up has finished or was stopped, so a caller can wait without holding a thread. */
    public CompletionStage<Void> finished() {
        return finished;
    }

    /** Stops after the handshake in progress. */
    @Override
    public void close() {
        stopped = true;
    }

    private void run() {
        long started = System.nanoTime();
        String outcome = "done";
        try {
            DtlsCertificate clientCert = DtlsCertificate.generate();
            DtlsCertificate serverCert = DtlsCertificate.generate();
            for (int i = 0; i < handshakes && !stopped; i++) {
                handshake(clientCert, serverCert);
                completed = i + 1;
            }
            if (stopped) {
                outcome = "stopped";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        } catch (RuntimeException e) {
            outcome = "failed: " + e.getMessage();
        } finally {
            LOG.info("dtls warm-up {}: {} of {} in-memory handshakes in {} ms", outcome, completed, handshakes,
                    (System.nanoTime() - started) / 1_000_000);
            finished.complete(null);
        }
    }

    private void handshake(DtlsCertificate clientCert, DtlsCertificate serverCert) throws InterruptedException {
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        Link toServer = new Link();
        Link toClient = new Link();
        try (DtlsEndpoint server = DtlsEndpoint.createQuiet("warmup-server", DtlsRole.SERVER, serverCert,
                     clientCert.fingerprint(), toClient, config, events::add);
             DtlsEndpoint client = DtlsEndpoint.createQuiet("warmup-client", DtlsRole.CLIENT, clientCert,
                     serverCert.fingerprint(), toServer, config, events::add)) {
            toServer.peer = server;
            toClient.peer = client;
            server.start();
            client.start();
            for (int i = 0; i < 2; i++) {
                DtlsEvent e = events.poll(config.handshakeTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
                if (!(e instanceof DtlsEvent.Connected)) {
                    throw new IllegalStateException("an in-memory handshake did not connect: " + e);
                }
            }
        }
    }

    /** One direction of the in-memory link: the receiving endpoint copies the datagram at once. */
    private static final class Link implements DatagramSender {
        volatile DtlsEndpoint peer;

        @Override
        public void send(byte[] buf, int off, int len) {
            peer.onDatagram(buf, off, len);
        }
    }
}
