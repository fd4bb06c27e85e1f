package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 3550 A.1 (sequence), A.3 (loss) and A.8 (jitter) against figures worked out by hand. */
class ReceptionStatsTest {
    static final long MS = 1_000_000;

    /** Packets every 20 ms, timestamps +960, arriving exactly on time. */
    static ReceptionStats feed(int... seqs) {
        ReceptionStats s = new ReceptionStats(42, 48000, seqs[0], 0);
        for (int seq : seqs) {
            s.update(seq, 960L * seq, 100, 20 * MS * seq);
        }
        return s;
    }

    @Test
    void probationSkipsTheFirstPacketThenCountsFromTheSecond() {
        ReceptionStats s = new ReceptionStats(42, 48000, 1000, 0);
        assertThat(s.update(1000, 0, 10, 0)).isFalse();
        assertThat(s.isValid()).isFalse();
        assertThat(s.reportBlock(0)).isNull();
        assertThat(s.update(1001, 960, 10, 20 * MS)).isTrue();
        assertThat(s.isValid()).isTrue();
        assertThat(s.expected()).isEqualTo(1);
        assertThat(s.received()).isEqualTo(1);
        assertThat(s.packets()).isEqualTo(2);
    }

    @Test
    void aSourceThatDoesNotStartInSequenceStaysOnProbation() {
        ReceptionStats s = new ReceptionStats(42, 48000, 1000, 0);
        assertThat(s.update(1000, 0, 10, 0)).isFalse();
        assertThat(s.update(1005, 0, 10, 0)).isFalse();
        assertThat(s.update(1007, 0, 10, 0)).isFalse();
        assertThat(s.update(1008, 0, 10, 0)).isTrue();
        assertThat(s.expected()).isEqualTo(1);
    }

    @Test
    void lossAndFractionLost() {
        // 1003 and 1005 lost: counted from 1001 (probation), expected 1001..1009 = 9, received 7
        ReceptionStats s = feed(1000, 1001, 1002, 1004, 1006, 1007, 1008, 1009);
        assertThat(s.expected()).isEqualTo(9);
        assertThat(s.received()).isEqualTo(7);
        assertThat(s.lost()).isEqualTo(2);
        ReportBlock b = s.reportBlock(0);
        assertThat(b.cumulativeLost()).isEqualTo(2);
        assertThat(b.fractionLost()).isEqualTo((2 << 8) / 9); // 56
        assertThat(b.extendedHighestSequence()).isEqualTo(1009);
        // the next interval: 4 expected (1010..1013), 1012 lost → 64/256
        for (int seq : new int[] {1010, 1011, 1013}) {
            s.update(seq, 960L * seq, 100, 20 * MS * seq);
        }
        ReportBlock next = s.reportBlock(0);
        assertThat(next.fractionLost()).isEqualTo(64);
        assertThat(next.cumulativeLost()).isEqualTo(3);
        // nothing new: an empty interval reports no loss
        assertThat(s.reportBlock(0).fractionLost()).isZero();
    }

    @Test
    void reorderingIsNotLoss() {
        ReceptionStats s = feed(1000, 1001, 1002, 1004, 1003, 1005);
        assertThat(s.expected()).isEqualTo(5);
        assertThat(s.received()).isEqualTo(5);
        assertThat(s.reportBlock(0).fractionLost()).isZero();
        assertThat(s.extendedHighestSequence()).isEqualTo(1005);
    }

    @Test
    void duplicatesMakeLossNegativeAsTheRfcSays() {
        ReceptionStats s = feed(1000, 1001, 1002, 1002, 1003);
        assertThat(s.expected()).isEqualTo(3);
        assertThat(s.received()).isEqualTo(4);
        ReportBlock b = s.reportBlock(0);
        assertThat(b.cumulativeLost()).isEqualTo(-1);
        assertThat(b.fractionLost()).isZero();
    }

    @Test
    void sequenceWrapAt65535CountsACycle() {
        ReceptionStats s = new ReceptionStats(42, 48000, 65533, 0);
        int[] seqs = {65533, 65534, 65535, 0, 2};
        for (int i = 0; i < seqs.length; i++) {
            s.update(seqs[i], 960L * i, 100, 20 * MS * i);
        }
        // counted from 65534: 65534, 65535, 0, (1 lost), 2 → expected 5, received 4
        assertThat(s.extendedHighestSequence()).isEqualTo(65536 + 2);
        assertThat(s.expected()).isEqualTo(5);
        assertThat(s.lost()).isEqualTo(1);
        // a packet from before the wrap, reordered: not a new cycle
        s.update(1, 960L * 4, 100, 20 * MS * 5);
        s.update(65535, 960L * 2, 100, 20 * MS * 5);
        assertThat(s.extendedHighestSequence()).isEqualTo(65538);
        assertThat(s.lost()).isEqualTo(-1);
        assertThat(s.reportBlock(0).extendedHighestSequence()).isEqualTo(65538);
    }

    @Test
    void aLargeJumpIsARestartOnlyWhenTheNextPacketConfirmsIt() {
        ReceptionStats s = feed(1000, 1001, 1002);
        assertThat(s.update(30000, 0, 10, 100 * MS)).isFalse();
        assertThat(s.update(1003, 0, 10, 100 * MS)).isTrue(); // a stray packet; the stream goes on
        assertThat(s.update(40000, 0, 10, 120 * MS)).isFalse();
        assertThat(s.update(40001, 960, 10, 140 * MS)).isTrue();
        assertThat(s.restarts()).isEqualTo(1);
        assertThat(s.expected()).isEqualTo(1);
        assertThat(s.received()).isEqualTo(1);
    }

    @Test
    void jitterFollowsA8() {
        ReceptionStats s = new ReceptionStats(42, 48000, 0, 0);
        // arrivals 0, 20, 40, 70 (10 ms late), 80, 100 ms; timestamps on a 20 ms grid.
        long[] arrivalMs = {0, 20, 40, 70, 80, 100};
        for (int i = 0; i < arrivalMs.length; i++) {
            s.update(i, 960L * i, 100, arrivalMs[i] * MS);
        }
        // transit (ts units) from packet 1 (packet 0 is on probation): 0, 0, 480, 0, 0
        // D: 0, 480, 480, 0; J×16 (A.8 integer form): 0, 480, 480+480-30 = 930, 930-58 = 872 → J = 54
        // (float form: 0, 30, 58.125, 54.49)
        long j = 0;
        long[] d = {0, 480, 480, 0};
        for (long x : d) {
            j += x - ((j + 8) >> 4);
        }
        assertThat(s.jitter()).isEqualTo(j >> 4).isEqualTo(54);
        assertThat(s.jitterMillis()).isCloseTo(1.125, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void jitterIgnoresRepeatedTimestampsOfTelephoneEvents() {
        ReceptionStats s = new ReceptionStats(42, 48000, 0, 0);
        for (int i = 0; i < 10; i++) {
            // event packets 20 ms apart, all with the event's start timestamp
            s.update(i, 960, 4, 20 * MS * i);
        }
        assertThat(s.jitter()).isZero();
    }

    @Test
    void jitterAcrossTimestampWrap() {
        ReceptionStats s = new ReceptionStats(42, 48000, 0, 0);
        long ts = 0xFFFFFFFFL - 960 * 3;
        for (int i = 0; i < 8; i++) {
            s.update(i, (ts + 960L * i) & 0xFFFFFFFFL, 100, 20 * MS * i);
        }
        assertThat(s.jitter()).isZero();
    }

    @Test
    void dlsrCountsFromTheSendersReportArrival() {
        ReceptionStats s = feed(0, 1, 2);
        long ntp = 0xE8F0A1B2_80000000L;
        s.onSenderReport(ntp, 1_000 * MS);
        ReportBlock b = s.reportBlock(2_500 * MS);
        assertThat(b.lastSr()).isEqualTo(0xA1B28000L);
        assertThat(b.delaySinceLastSr()).isEqualTo(0x18000); // 1.5 s in 1/65536 s
    }
}
