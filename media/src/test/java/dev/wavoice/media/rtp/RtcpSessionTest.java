package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpSessionTest {
    static final long MS = 1_000_000;
    static final long EPOCH = 1_764_000_000_000_000_000L; // a November 2025 instant, ns

    final RtcpReader reader = new RtcpReader();

    static RtcpSession session(OutboundRtp out, long epochNanos) {
        return new RtcpSession(out, "cname-" + out.ssrc(), new RtcpScheduler(Duration.ofSeconds(5), new Random(1), 0),
                48000, 0, epochNanos);
    }

    /** RFC 3550 §6.4.1's own example: A = 46864.500 s, LSR = 46853.125 s, DLSR = 5.250 s → RTT 6.125 s. */
    @Test
    void rttFromTheRfcExample() {
        OutboundRtp ours = new OutboundRtp(0xAAAA, 48000, 0, 0);
        long epochOfA = (46864L - NtpTime.EPOCH_OFFSET_SECONDS) * 1_000_000_000L + 500_000_000L;
        RtcpSession s = session(ours, epochOfA);
        assertThat(NtpTime.compact(s.ntpAt(0))).isEqualTo(0xB7108000L);
        byte[] b = new byte[64];
        int n = RtcpWriter.receiverReport(b, 0, 0xBBBB,
                List.of(new ReportBlock(0xAAAA, 0, 0, 0, 0, 0xB7052000L, 0x00054000L)));
        assertThat(s.onRtcp(b, 0, n, 0)).isTrue();
        assertThat(s.stats().rttMicros()).isEqualTo(6_125_000);
    }

    @Test
    void twoSessionsMeasureTheRoundTripOfALink() {
        OutboundRtp aOut = new OutboundRtp(0xA, 48000, 100, 0);
        OutboundRtp bOut = new OutboundRtp(0xB, 48000, 200, 0);
        RtcpSession a = session(aOut, EPOCH);
        RtcpSession b = session(bOut, EPOCH + 3_000 * MS); // B's wall clock is 3 s off: RTT must not care
        RtpPacket view = new RtpPacket();
        byte[] pkt = new byte[64];
        long oneWay = 35 * MS;
        // A sends 1 s of audio to B
        for (int i = 0; i < 50; i++) {
            long t = i * 20 * MS;
            int h = aOut.writeHeader(pkt, 0, 111, i == 0, 960L * i, 0, 20, t);
            assertThat(view.wrap(pkt, 0, h + 20)).isTrue();
            b.onRtp(view, t + oneWay);
        }
        byte[] rtcp = new byte[256];
        long srAt = 1_000 * MS;
        int n = a.writeReport(rtcp, 0, srAt);
        assertThat(reader.wrap(rtcp, 0, n) && reader.next()).isTrue();
        assertThat(reader.type()).isEqualTo(RtcpReader.SR);
        assertThat(reader.senderPacketCount()).isEqualTo(50);
        assertThat(reader.senderOctetCount()).isEqualTo(1000);
        // last packet at 980 ms with ts 47040: 20 ms later is 48000
        assertThat(reader.rtpTimestamp()).isEqualTo(48000);
        assertThat(reader.next() && reader.type() == RtcpReader.SDES).isTrue();
        assertThat(reader.cname()).isEqualTo("cname-10");
        assertThat(b.onRtcp(rtcp, 0, n, srAt + oneWay)).isTrue();
        // B has sent nothing: it answers with an RR about A, 1.2 s after the SR arrived
        n = b.writeReport(rtcp, 0, srAt + oneWay + 1_200 * MS);
        assertThat(reader.wrap(rtcp, 0, n) && reader.next()).isTrue();
        assertThat(reader.type()).isEqualTo(RtcpReader.RR);
        ReportBlock block = reader.reportBlock(0);
        assertThat(block.ssrc()).isEqualTo(0xA);
        assertThat(block.extendedHighestSequence()).isEqualTo(149);
        assertThat(block.cumulativeLost()).isZero();
        assertThat(block.delaySinceLastSr()).isEqualTo(65536 * 12 / 10);
        assertThat(a.onRtcp(rtcp, 0, n, srAt + oneWay + 1_200 * MS + oneWay)).isTrue();
        assertThat(a.stats().rttMicros()).isCloseTo(70_000, org.assertj.core.data.Offset.offset(100L));
        assertThat(b.stats().rttMicros()).isEqualTo(-1);
    }

    @Test
    void lossReportedByThePeerIsKept() {
        OutboundRtp ours = new OutboundRtp(0xA, 48000, 0, 0);
        RtcpSession s = session(ours, EPOCH);
        byte[] b = new byte[128];
        int n = RtcpWriter.receiverReport(b, 0, 0xB, List.of(new ReportBlock(0xC, 9, 9, 9, 9, 0, 0),
                new ReportBlock(0xA, 26, 12, 5000, 240, 0, 0)));
        assertThat(s.onRtcp(b, 0, n, 0)).isTrue();
        RtcpStats st = s.stats();
        assertThat(st.remoteFractionLost()).isEqualTo(26);
        assertThat(st.remoteCumulativeLost()).isEqualTo(12);
        assertThat(st.remoteJitter()).isEqualTo(240);
        assertThat(st.rttMicros()).isEqualTo(-1); // LSR 0: no SR of ours has reached the peer
        assertThat(s.onRtcp(new byte[] {1, 2, 3, 4, 5}, 0, 5, 0)).isFalse();
        assertThat(s.stats().malformed()).isEqualTo(1);
        assertThat(s.stats().received()).isEqualTo(1);
    }

    @Test
    void byeFromAKnownSourceIsNoted() {
        OutboundRtp ours = new OutboundRtp(0xA, 48000, 0, 0);
        RtcpSession s = session(ours, EPOCH);
        RtpPacket view = new RtpPacket();
        byte[] pkt = new byte[16];
        RtpHeaderWriter.write(pkt, 0, false, 111, 1, 1, 0xB);
        view.wrap(pkt, 0, 16);
        s.onRtp(view, 0);
        byte[] b = new byte[128];
        OutboundRtp peer = new OutboundRtp(0xB, 48000, 0, 0);
        int n = session(peer, EPOCH).writeBye(b, 0, 0, "hangup");
        assertThat(reader.wrap(b, 0, n)).isTrue();
        int[] types = new int[3];
        for (int i = 0; reader.next(); i++) {
            types[i] = reader.type();
        }
        assertThat(types).containsExactly(RtcpReader.RR, RtcpReader.SDES, RtcpReader.BYE);
        assertThat(s.onRtcp(b, 0, n, 0)).isTrue();
        assertThat(s.stats().byeReceived()).isTrue();
    }

    @Test
    void schedulerReportsEveryFiveSecondsRandomizedAndFirstAtHalf() {
        RtcpScheduler sch = new RtcpScheduler(Duration.ofSeconds(5), new Random(7), 0);
        long first = sch.nextNanos();
        assertThat(first).isBetween(1_250 * MS, 3_750 * MS);
        List<Long> intervals = new java.util.ArrayList<>();
        long last = -1;
        for (long t = 0; t < 600_000 * MS; t += 20 * MS) { // 10 minutes of 20 ms ticks
            if (sch.due(t)) {
                if (last >= 0) {
                    intervals.add(t - last);
                }
                last = t;
            }
        }
        assertThat(intervals).allSatisfy(i -> assertThat(i).isBetween(2_500 * MS, 7_520 * MS));
        double mean = intervals.stream().mapToLong(Long::longValue).average().orElseThrow();
        assertThat(mean).isBetween(4_500.0 * MS, 5_500.0 * MS);
        assertThat(intervals.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void forCallMapsTheMonotonicClockOntoWallClockNtp() {
        RtcpSession s = RtcpSession.forCall(new OutboundRtp(1, 48000, 0, 0), "c", 48000, new Random(2));
        long wall = NtpTime.toEpochNanos(s.ntpAt(System.nanoTime()));
        long now = java.time.Instant.now().toEpochMilli() * 1_000_000L;
        assertThat(Math.abs(wall - now)).isLessThan(1_000 * MS);
        assertThat(NtpTime.toEpochNanos(NtpTime.fromEpochNanos(EPOCH + 123_456_789L)))
                .isCloseTo(EPOCH + 123_456_789L, org.assertj.core.data.Offset.offset(1L));
    }

    @Test
    void pollWritesOnlyWhenDue() {
        OutboundRtp ours = new OutboundRtp(0xA, 48000, 0, 0);
        RtcpSession s = new RtcpSession(ours, "c", RtcpScheduler.audio(new Random(3), 0), 48000, 0, EPOCH);
        byte[] b = new byte[256];
        int reports = 0;
        for (long t = 0; t < 20_000 * MS; t += 20 * MS) {
            if (s.poll(b, 0, t) > 0) {
                reports++;
            }
        }
        assertThat(reports).isBetween(3, 8);
        assertThat(s.stats().sent()).isEqualTo(reports);
    }
}
