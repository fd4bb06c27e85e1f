package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The RTP stages must not allocate per packet. Reports bytes and nanoseconds per packet around 100k packets after
 * a warm-up; asserts only on allocation (well under one object per packet), never on time.
 *
 * <p>Inbound: {@link InboundRtp#accept} (header validation, A.1/A.8 statistics under the session lock, audio-level
 * read). Outbound: {@link OutboundRtp#writeHeader} with the audio level. Figures also from
 * {@code java -cp … dev.wavoice.media.rtp.RtpAllocationTest} (see the main method).
 */
class RtpAllocationTest {
    static final int PACKETS = 100_000;

    record Round(double bytesPerPacket, double nanosPerPacket) {}

    /** Published so the JIT cannot scalar-replace the per-call objects (they outlive a packet in real use). */
    static volatile Object escape;

    static Round inbound(int packets) {
        RtcpSession session = new RtcpSession(new OutboundRtp(1, 48000, 0, 1), "c",
                new RtcpScheduler(Duration.ofSeconds(5), new Random(1), 0), 48000, 0, 0);
        InboundRtp in = new InboundRtp(111, 126, 1, session, TelephoneEventReceiver.withDefaults(e -> { }));
        escape = in;
        byte[] b = new byte[200];
        OutboundRtp remote = new OutboundRtp(0xBEEF, 48000, 0, 1);
        escape = remote;
        int h = remote.headerLength();
        long sink = 0;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long bytes0 = mx.getThreadAllocatedBytes(tid);
        long t0 = System.nanoTime();
        remote.writeHeader(b, 0, 111, false, 0, AudioLevel.pack(30, true), 80, 0);
        for (int i = 0; i < packets; i++) {
            // only what changes per packet: sequence, timestamp, level
            RtpPacket.put16(b, 2, i);
            RtpPacket.put32(b, 4, 960L * i);
            b[17] = (byte) AudioLevel.pack(i & 0x7F, true);
            RtpPacket p = in.accept(b, 0, h + 80, 20_000_000L * i);
            if (p != null) {
                sink += p.payloadLength() + in.lastAudioLevel();
            }
        }
        long t1 = System.nanoTime();
        long bytes1 = mx.getThreadAllocatedBytes(tid);
        assertThat(sink).isPositive();
        return new Round((bytes1 - bytes0) / (double) packets, (t1 - t0) / (double) packets);
    }

    static Round outbound(int packets) {
        OutboundRtp out = new OutboundRtp(0xBEEF, 48000, 0, 1);
        byte[] b = new byte[200];
        escape = out;
        long sink = 0;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long bytes0 = mx.getThreadAllocatedBytes(tid);
        long t0 = System.nanoTime();
        for (int i = 0; i < packets; i++) {
            sink += out.writeHeader(b, 0, 111, false, 960L * i, AudioLevel.pack(i & 0x7F, true), 80, 0);
        }
        long t1 = System.nanoTime();
        long bytes1 = mx.getThreadAllocatedBytes(tid);
        assertThat(sink).isPositive();
        return new Round((bytes1 - bytes0) / (double) packets, (t1 - t0) / (double) packets);
    }

    @Test
    void steadyStateInboundAndOutboundDoNotAllocate() {
        inbound(PACKETS);
        outbound(PACKETS);
        Round in = inbound(PACKETS);
        Round out = outbound(PACKETS);
        System.out.printf("rtp inbound (parse+stats+level): %.3f bytes/packet, %.0f ns/packet; "
                + "outbound header: %.3f bytes/packet, %.0f ns/packet%n", in.bytesPerPacket(), in.nanosPerPacket(),
                out.bytesPerPacket(), out.nanosPerPacket());
        // The session, views and receivers are created inside the round: a few hundred bytes over 100k packets.
        assertThat(in.bytesPerPacket()).isLessThan(1.0);
        assertThat(out.bytesPerPacket()).isLessThan(1.0);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        for (int i = 0; i < 5; i++) {
            Round in = inbound(n);
            Round out = outbound(n);
            System.out.printf("round %d: inbound %.3f B/pkt %.1f ns/pkt; outbound %.3f B/pkt %.1f ns/pkt%n", i,
                    in.bytesPerPacket(), in.nanosPerPacket(), out.bytesPerPacket(), out.nanosPerPacket());
        }
    }
}
