package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.InboundRtp;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtcpScheduler;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.rtp.TelephoneEventReceiver;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packet path allocates nothing per packet once warm: two endpoints on loopback, each on a shared port of its
 * own, bounce RTP back and forth on their receive threads — UDP receive → demux → SRTP unprotect → listener →
 * SRTP protect → UDP send on both sides; one side also parses the packet with {@link InboundRtp} (statistics) and
 * writes a new header with {@link OutboundRtp}, as a relay does; the other re-sends it as it came (the echo agent).
 * Asserts the bytes allocated by each receive thread per packet, read with {@code ThreadMXBean} from outside, never
 * a time.
 *
 * <p>Not covered: with many peers on one port the JDK's {@code DatagramChannel.receive} makes a new
 * {@link InetSocketAddress} whenever a datagram comes from another address than the one before it (it caches one);
 * here each port hears a single peer, as a per-call port or a relay's leg does.
 */
@Timeout(120)
class PacketPathAllocationTest {
    static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    static final int WARM_UP = 30_000, MEASURED = 30_000, IN_FLIGHT = 4;
    static final int OPUS = 111;

    /** Re-sends what it hears under its own SSRC, in place (as {@code EchoRoute} does). */
    static final class Echo implements MediaListener {
        volatile WebRtcEndpoint endpoint;
        volatile long threadId = -1;

        @Override
        public void onEvent(EndpointEvent event) {
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            threadId = Thread.currentThread().threadId();
            long ssrc = endpoint.localSsrc();
            buf[off + 8] = (byte) (ssrc >>> 24);
            buf[off + 9] = (byte) (ssrc >>> 16);
            buf[off + 10] = (byte) (ssrc >>> 8);
            buf[off + 11] = (byte) ssrc;
            endpoint.sendRtp(buf, off, len);
        }
    }

    /** Parses what comes back (statistics, audio level) and sends it on with a header of its own, as a relay does. */
    static final class Bouncer implements MediaListener {
        final InboundRtp in;
        final byte[] out = new byte[1500];
        final AtomicLong received = new AtomicLong();
        volatile OutboundRtp stream;
        volatile WebRtcEndpoint endpoint;
        volatile long threadId = -1;
        long timestamp;

        Bouncer() {
            RtcpSession session = new RtcpSession(new OutboundRtp(1, 48000, 0, 1), "c",
                    new RtcpScheduler(Duration.ofSeconds(5), new Random(1), 0), 48000, 0, 0);
            in = new InboundRtp(OPUS, 126, 1, session, TelephoneEventReceiver.withDefaults(e -> { }));
        }

        @Override
        public void onEvent(EndpointEvent event) {
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            threadId = Thread.currentThread().threadId();
            RtpPacket p = in.accept(buf, off, len, System.nanoTime());
            if (p != null) {
                send(buf, p.payloadOffset(), p.payloadLength());
            }
            received.incrementAndGet();
        }

        /** Our header (sequence, timestamp, audio level) and the payload; from any one thread at a time. */
        synchronized void send(byte[] payload, int off, int len) {
            timestamp += 960;
            int h = stream.writeHeader(out, 0, OPUS, false, timestamp, AudioLevel.pack(30, true), len, System.nanoTime());
            System.arraycopy(payload, off, out, h, len);
            endpoint.sendRtp(out, 0, h + len);
        }
    }

    @Test
    void receiveSrtpRelayAndSendAllocateNothingPerPacket() throws Exception {
        // Consent checks every 60 s: a STUN round (a few hundred bytes) is not a packet and must not blur the count.
        WebRtcTransportConfig config = WebRtcTransportConfig.defaults(LOOPBACK).withIce(
                dev.wavoice.media.ice.IceConfig.defaults().withConsent(Duration.ofSeconds(60), Duration.ofSeconds(90),
                        Duration.ofSeconds(120)));
        Bouncer bouncer = new Bouncer();
        Echo echo = new Echo();
        try (WebRtcTransport left = WebRtcTransport.open(config); WebRtcTransport right = WebRtcTransport.open(config)) {
            WebRtcEndpoint a = left.offer("bouncer", bouncer);
            WebRtcEndpoint b = right.answer("echo", a.localDescription(), echo);
            a.applyAnswer(b.localDescription());
            bouncer.endpoint = a;
            bouncer.stream = new OutboundRtp(a.localSsrc(), 48000, 0, 1);
            echo.endpoint = b;
            a.connected().get(20, TimeUnit.SECONDS);
            b.connected().get(20, TimeUnit.SECONDS);

            byte[] frame = new byte[80];
            frame[0] = (byte) 0xF8; // an Opus TOC byte; the rest is silence to everyone but this test
            for (int i = 0; i < IN_FLIGHT; i++) {
                bouncer.send(frame, 0, frame.length);
            }
            awaitReceived(bouncer, WARM_UP, frame);

            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long bouncerThread = bouncer.threadId, echoThread = echo.threadId;
            assertThat(bouncerThread).isNotEqualTo(echoThread).isPositive();
            long count0 = bouncer.received.get();
            long bouncerBytes0 = mx.getThreadAllocatedBytes(bouncerThread);
            long echoBytes0 = mx.getThreadAllocatedBytes(echoThread);
            awaitReceived(bouncer, count0 + MEASURED, frame);
            long bouncerBytes = mx.getThreadAllocatedBytes(bouncerThread) - bouncerBytes0;
            long echoBytes = mx.getThreadAllocatedBytes(echoThread) - echoBytes0;
            long packets = bouncer.received.get() - count0;

            double bouncerPerPacket = bouncerBytes / (double) packets, echoPerPacket = echoBytes / (double) packets;
            System.out.printf("packet path: %d packets each way; receive thread bytes per packet: relay side %.3f, "
                    + "echo side %.3f%n", packets, bouncerPerPacket, echoPerPacket);
            // Below one byte per packet on average: tolerates a one-off (a lazily made object), not a per-packet one.
            assertThat(bouncerPerPacket).as("bytes per packet, receive → SRTP → parse → header → SRTP → send")
                    .isLessThan(1.0);
            assertThat(echoPerPacket).as("bytes per packet, receive → SRTP → echo → SRTP → send").isLessThan(1.0);
            assertThat(a.stats().droppedSrtp()).isZero();
            assertThat(b.stats().droppedSrtp()).isZero();
        }
    }

    /**
     * Waits until the bouncer has heard {@code target} packets; if the bouncing stops (a datagram lost on a busy
     * machine), puts another packet in flight from this thread, whose allocations are not counted.
     */
    private static void awaitReceived(Bouncer bouncer, long target, byte[] frame) throws InterruptedException {
        long last = -1;
        while (bouncer.received.get() < target) {
            long now = bouncer.received.get();
            if (now == last) {
                bouncer.send(frame, 0, frame.length);
            }
            last = now;
            Thread.sleep(200);
        }
    }
}
