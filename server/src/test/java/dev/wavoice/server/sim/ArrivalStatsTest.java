package dev.wavoice.server.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Loss from sequence gaps (across the 16-bit wrap) and lateness against the sender's 20 ms grid. */
class ArrivalStatsTest {
    static final long MS = 1_000_000L;

    @Test
    void aGapIsLossAndALateFrameIsCountedAgainstTheGrid() {
        ArrivalStats s = new ArrivalStats();
        long t0 = 1_000 * MS;
        int seq = 65_530; // wraps to 0 on the way
        long ts = 4_294_960_000L; // wraps too
        for (int i = 0; i < 20; i++) {
            if (i == 7) {
                continue; // lost
            }
            long arrival = t0 + i * 20 * MS + (i == 12 ? 8 * MS : 0); // frame 12 is 8 ms late
            s.onPacket((seq + i) & 0xFFFF, (ts + i * 960L) & 0xFFFF_FFFFL, arrival, true, null);
        }
        assertThat(s.received()).isEqualTo(19);
        assertThat(s.expected()).isEqualTo(20);
        assertThat(s.lost()).isEqualTo(1);
        assertThat(s.timed()).isEqualTo(19);
        assertThat(s.lateOver5ms()).isEqualTo(1);
        long[] h = new long[ArrivalStats.BUCKETS];
        s.addLatenessTo(h);
        assertThat(ArrivalStats.percentileMillis(h, 0.5)).isLessThan(1.0);
        assertThat(ArrivalStats.percentileMillis(h, 1.0)).isBetween(8.0, 8.2);
    }

    @Test
    void framesAreTimedAgainstTheirSendTimeWhenTheSenderClockIsGiven() {
        ArrivalStats s = new ArrivalStats();
        long t0 = 5_000 * MS;
        // The sender's clock stalled: frames 3 and 4 left 30 and 20 ms late. With the send times known, that is not
        // counted against the echo.
        long[] sent = {t0, t0 + 20 * MS, t0 + 40 * MS, t0 + 90 * MS, t0 + 100 * MS};
        for (int i = 0; i < sent.length; i++) {
            s.onPacket(100 + i, 960L * i, sent[i] + 2 * MS, true, ts32 -> sent[(int) (ts32 / 960)]);
        }
        assertThat(s.timed()).isEqualTo(5);
        assertThat(s.lateOver5ms()).isZero();
        // the same arrivals judged against the grid: frames 3 and 4 are late
        ArrivalStats grid = new ArrivalStats();
        for (int i = 0; i < sent.length; i++) {
            grid.onPacket(100 + i, 960L * i, sent[i] + 2 * MS, true, null);
        }
        assertThat(grid.lateOver5ms()).isEqualTo(2);
    }

    @Test
    void aHoleInTheAudioIsTheTimeBetweenBackToBackPacketsButASilencePauseIsNot() {
        ArrivalStats s = new ArrivalStats();
        long t0 = 2_000 * MS;
        long ts = 0;
        long at = t0;
        int seq = 65_534; // wraps on the way
        for (int i = 0; i < 10; i++) { // 10 frames on time
            s.onPacket(seq++ & 0xFFFF, ts, at, true, null);
            ts += 960;
            at += 20 * MS;
        }
        at += 70 * MS; // the next frame 70 ms late: a 90 ms hole
        s.onPacket(seq++ & 0xFFFF, ts, at, true, null);
        ts += 960;
        seq++; // one lost: 40 ms between the two either side of it
        ts += 960;
        at += 40 * MS;
        s.onPacket(seq++ & 0xFFFF, ts, at, true, null);
        // the sender paused (DTX) for 2 s: the timestamps say so, and no hole is counted
        ts += 100 * 960;
        at += 2_000 * MS;
        s.onPacket(seq++ & 0xFFFF, ts, at, true, null);
        // a stall while timing is paused (the bench's forced GC) is not counted either
        ts += 960;
        at += 300 * MS;
        s.onPacket(seq & 0xFFFF, ts, at, false, null);

        assertThat(s.maxGapNanos()).isEqualTo(90 * MS);
        assertThat(s.gapsOver60ms()).isEqualTo(1);
    }
}
