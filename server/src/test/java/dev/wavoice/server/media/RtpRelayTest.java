package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.InboundRtp;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.RtpHeaderWriter;
import dev.wavoice.media.rtp.RtpPacket;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The relay's re-stamping, packet by packet: the receiver's SSRC, payload type and audio-level id; a sequence that
 * continues and a timeline that keeps its spacing whatever the source, also when the source changes (a replaced
 * agent leg); the payload byte for byte.
 */
class RtpRelayTest {
    static final long OUR_SSRC = 0x0A0B0C0DL;
    static final int OUT_PT = 111, OUT_LEVEL_ID = 3;

    private final byte[] in = new byte[1500], out = new byte[1500];
    private final RtpPacket view = new RtpPacket(), result = new RtpPacket();

    /** A source packet: PT 96, audio level id 1 (another numbering than the receiver's). */
    private RtpPacket source(long ssrc, int seq, long ts, boolean marker, byte[] payload, int level) {
        int h = RtpHeaderWriter.writeWithAudioLevel(in, 0, marker, 96, seq, ts, ssrc, 1, level);
        System.arraycopy(payload, 0, in, h, payload.length);
        assertThat(view.wrap(in, 0, h + payload.length)).isTrue();
        return view;
    }

    private RtpPacket relayed(RtpRelay relay, RtpPacket p, long nowNanos) {
        int n = relay.relay(p, 1, out, nowNanos);
        assertThat(n).isPositive();
        assertThat(result.wrap(out, 0, n)).isTrue();
        return result;
    }

    private static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void packetsAreRestampedIntoTheReceiversStreamWithThePayloadUntouched() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 1000, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(1));
        long ts0 = -1;
        for (int i = 0; i < 5; i++) {
            byte[] payload = payload(60 + i, i);
            RtpPacket r = relayed(relay, source(0x1111, 65534 + i, 4_000_000_000L + 960L * i, false, payload,
                    AudioLevel.pack(30, true)), i * 20_000_000L);
            assertThat(r.ssrc()).isEqualTo(OUR_SSRC);
            assertThat(r.payloadType()).isEqualTo(OUT_PT);
            assertThat(r.sequence()).isEqualTo(1000 + i);
            assertThat(r.marker()).as("marker on the first packet of a source only").isEqualTo(i == 0);
            ts0 = i == 0 ? r.timestamp() : ts0;
            assertThat((r.timestamp() - ts0) & 0xFFFF_FFFFL).as("spacing kept across the source's wrap").isEqualTo(960L * i);
            assertThat(r.audioLevel(OUT_LEVEL_ID)).as("the level under the receiver's id").isEqualTo(AudioLevel.pack(30, true));
            assertThat(Arrays.copyOfRange(out, r.payloadOffset(), r.payloadOffset() + r.payloadLength())).isEqualTo(payload);
        }
    }

    @Test
    void aNewSourceContinuesTheSequenceAndTheTimelineByTheTimeThatPassed() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 500, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(2));
        RtpPacket first = relayed(relay, source(0xAAAA, 10, 123_456, false, payload(40, 1), 0x80 | 20), 0);
        long lastTs = first.timestamp();
        // The old leg is gone; 300 ms later a new one starts with its own SSRC, sequence and timestamp base.
        RtpPacket next = relayed(relay, source(0xBBBB, 40_000, 7_777_777, false, payload(40, 2), 0x80 | 20),
                300_000_000L);
        assertThat(next.sequence()).isEqualTo(501);
        assertThat(next.marker()).as("a new talkspurt for the receiver's jitter buffer").isTrue();
        long nextTs = next.timestamp();
        assertThat((nextTs - lastTs) & 0xFFFF_FFFFL).as("300 ms at 48 kHz").isEqualTo(14_400L);
        RtpPacket after = relayed(relay, source(0xBBBB, 40_001, 7_777_777 + 960, false, payload(40, 3), 0x80 | 20),
                320_000_000L);
        assertThat((after.timestamp() - nextTs) & 0xFFFF_FFFFL).isEqualTo(960L);
        assertThat(after.marker()).isFalse();
        assertThat(relay.rebased()).isEqualTo(1);
    }

    @Test
    void withoutTheSourcesLevelASmallPayloadCountsAsSilence() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 1, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(3));
        int h = RtpHeaderWriter.write(in, 0, false, 96, 1, 960, 0x2222);
        System.arraycopy(payload(3, 4), 0, in, h, 3);
        assertThat(view.wrap(in, 0, h + 3)).isTrue();
        int n = relay.relay(view, 0, out, 0);
        assertThat(result.wrap(out, 0, n)).isTrue();
        assertThat(AudioLevel.voice(result.audioLevel(OUT_LEVEL_ID))).isFalse();
        assertThat(AudioLevel.level(result.audioLevel(OUT_LEVEL_ID))).isEqualTo(AudioLevel.SILENCE);
    }

    @Test
    void ourOwnPacketsFollowTheRelayedOnesWithoutAGap() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 7, 0), OUT_PT, new SplittableRandom(5));
        RtpPacket last = relayed(relay, source(0x3333, 1, 1_000, false, payload(50, 6), 0), 0);
        long ts = last.timestamp();
        int n = relay.own(payload(30, 7), true, out, 5_000_000L);
        assertThat(result.wrap(out, 0, n)).isTrue();
        assertThat(result.sequence()).isEqualTo(8);
        assertThat((result.timestamp() - ts) & 0xFFFF_FFFFL).isEqualTo(960L);
        assertThat(result.hasExtension()).as("no audio level when the receiver negotiated none").isFalse();
    }

    /**
     * The relay's half of the packet path on one thread, as {@code PassthroughBridge.onRtp} runs it: parse and count
     * the leg's packet ({@link InboundRtp}, RTCP statistics), re-stamp it into the other leg's stream, poll for a due
     * RTCP report, record the relay latency; and the echo agent's in-place re-stamp. After a warm-up, fewer than one
     * byte allocated per packet on average (a one-off is tolerated, a per-packet object is not). The network and SRTP
     * halves are held to the same by the media module's {@code PacketPathAllocationTest}.
     */
    @Test
    void relayingAPacketAllocatesNothing() {
        SplittableRandom random = new SplittableRandom(3);
        OutboundRtp toCaller = new OutboundRtp(OUR_SSRC, 48_000, 1000, OUT_LEVEL_ID);
        RtpRelay relay = new RtpRelay(toCaller, OUT_PT, random);
        RtcpSession legRtcp = RtcpSession.forCall(new OutboundRtp(0x2222, 48_000, 0, 1), "leg", 48_000, random);
        InboundRtp leg = new InboundRtp(96, -1, 1, legRtcp, null);
        RelayLatency latency = new RelayLatency();
        byte[] rtcp = new byte[1500];
        int h = RtpHeaderWriter.writeWithAudioLevel(in, 0, false, 96, 0, 0, 0x1111, 1, AudioLevel.pack(30, true));
        System.arraycopy(payload(80, 5), 0, in, h, 80);

        relayPackets(relay, leg, legRtcp, latency, rtcp, h + 80, 0, 100_000); // warm-up: compiled, as in a call
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        long sink = relayPackets(relay, leg, legRtcp, latency, rtcp, h + 80, 100_000, 100_000);
        double perPacket = (mx.getThreadAllocatedBytes(tid) - before) / 100_000.0;

        assertThat(sink).isPositive();
        assertThat(relay.relayed()).as("all but the first, on probation").isEqualTo(199_999);
        assertThat(perPacket).as("bytes allocated per relayed packet").isLessThan(1.0);
    }

    private long relayPackets(RtpRelay relay, InboundRtp leg, RtcpSession legRtcp, RelayLatency latency, byte[] rtcp,
            int len, int first, int count) {
        long sink = 0, start = System.nanoTime(); // the RTCP schedule runs on the real clock's origin
        for (int i = first; i < first + count; i++) {
            long now = start + 20_000_000L * i;
            in[2] = (byte) (i >>> 8); // sequence and timestamp move on as a sender's would
            in[3] = (byte) i;
            long ts = 960L * i;
            in[4] = (byte) (ts >>> 24);
            in[5] = (byte) (ts >>> 16);
            in[6] = (byte) (ts >>> 8);
            in[7] = (byte) ts;
            RtpPacket p = leg.accept(in, 0, len, now);
            sink += legRtcp.poll(rtcp, 0, now);
            if (p != null) {
                int n = relay.relay(p, 1, out, now);
                EchoRoute.restamp(out, 0, OUR_SSRC);
                latency.record(n * 10L);
                sink += n;
            }
        }
        return sink;
    }
}
