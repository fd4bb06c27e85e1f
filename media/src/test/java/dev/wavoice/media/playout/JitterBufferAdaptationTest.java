package dev.wavoice.media.playout;

import static dev.wavoice.media.playout.JitterTraffic.MS;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Depth over simulated minutes: drift, jitter bursts, talk spurts. */
class JitterBufferAdaptationTest {
    private final JitterBuffer buffer = new JitterBuffer(JitterBufferConfig.opus());

    @ParameterizedTest
    @ValueSource(doubles = {0.005, -0.005})
    void senderClockDriftKeepsDepthBounded(double drift) {
        int frames = 5 * 60 * 50; // five minutes
        JitterTraffic traffic = new JitterTraffic(3).send(1, 0, frames, 960, 0, drift, JitterTraffic.Jitter.uniform(25));
        int[] maxDepth = {0};
        int[] polls = {0};
        traffic.play(buffer, (long) (frames * 20 / (1 + drift)) * MS, r -> {
            if (++polls[0] > 500) { // after the first ten seconds
                maxDepth[0] = Math.max(maxDepth[0], buffer.stats().depthMillis());
            }
        });
        JitterBufferStats s = buffer.stats();
        // 0.5 % of 5 min is 1.5 s of media, 75 frames, that must be dropped or inserted somewhere.
        long inserted = s.concealed() - (s.lost() - s.fecRecovered()); // PLC frames that took no packet's place
        long netDropped = s.driftDropped() - inserted;
        assertThat(netDropped * Math.signum(drift)).as("frames absorbed: %s", s).isBetween(60.0, 110.0);
        assertThat(maxDepth[0]).as("depth stays near the target, %s", s).isLessThanOrEqualTo(s.targetMillis() + 80);
        assertThat(s.lost()).as("%s", s).isLessThan(20);
        assertThat(s.resyncs()).isZero();
    }

    @Test
    void aCalmNetworkCostsOnlyItsSpreadNotAWholeExtraFrame() {
        // Talk spurts of 2 s with 400 ms pauses (longer than the resync), up to 0.6 ms of jitter; the playout clock
        // ticks 7 ms after each frame's send time. Every spurt after the first starts with that spread learned.
        long t0 = 1_000 * MS;
        byte[] payload = new byte[60];
        int spurt = 100;
        int pause = 20;
        long[] arrived = new long[30 * (spurt + pause)];
        long worst = 0;
        int played = 0;
        int seq = 0;
        for (int slot = 0; slot < arrived.length; slot++) {
            long tick = t0 + slot * 20 * MS + 7 * MS;
            if (slot % (spurt + pause) < spurt) {
                arrived[seq] = t0 + slot * 20 * MS + (slot * 7919 % 7) * MS / 10;
                buffer.put(seq, slot * 960L, payload, 0, payload.length, arrived[seq]);
                seq++;
            }
            if (buffer.poll(tick) instanceof Playout.Packet p) {
                played++;
                if (slot >= spurt + pause) {
                    worst = Math.max(worst, tick - arrived[p.payload().sequenceNumber()]);
                }
            }
        }
        assertThat(played).as("every packet played, none concealed").isEqualTo(seq);
        // Each packet plays at the first tick after it arrived: the hold is the spread (< 1 ms), not another frame.
        assertThat(worst).as("the longest a packet waited, ns").isLessThan(8 * MS);
        assertThat(buffer.stats().targetMillis()).isEqualTo(20);
    }

    @Test
    void targetGrowsFastUnderAJitterBurstAndShrinksSlowly() {
        JitterTraffic traffic = new JitterTraffic(5);
        traffic.send(0, 0, 500, 960, 0, 0, JitterTraffic.Jitter.uniform(2)); // 10 s calm
        traffic.send(500, 500 * 960L, 100, 960, 10_000 * MS, 0, JitterTraffic.Jitter.uniform(120)); // 2 s storm
        traffic.send(600, 600 * 960L, 3_000, 960, 12_000 * MS, 0, JitterTraffic.Jitter.uniform(2)); // 60 s calm
        List<Integer> targets = new ArrayList<>();
        traffic.play(buffer, 72_000 * MS, r -> targets.add(buffer.stats().targetMillis()));
        assertThat(targets.get(499)).as("calm").isLessThanOrEqualTo(40);
        int afterBurstStart = targets.subList(500, 525).stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(afterBurstStart).as("grows within half a second of the storm").isGreaterThanOrEqualTo(100);
        assertThat(targets.get(700)).as("still high two seconds after").isGreaterThanOrEqualTo(60);
        assertThat(targets.get(3_590)).as("back down after a minute of calm").isLessThanOrEqualTo(40);
    }

    @Test
    void dtxGapPlaysSilenceThenResumesOnTime() {
        JitterTraffic traffic = new JitterTraffic(9);
        traffic.send(0, 0, 50, 960, 0, 0, JitterTraffic.Jitter.NONE);
        // Same sequence run, timestamps jump 200 ms: the sender stopped sending during silence (DTX).
        traffic.send(50, 60 * 960L, 50, 960, 1_200 * MS, 0, JitterTraffic.Jitter.NONE);
        List<Playout> out = new ArrayList<>();
        traffic.play(buffer, 2_180 * MS, out::add);
        List<Playout> gap = out.subList(50, 60);
        assertThat(gap).allMatch(r -> r instanceof Playout.Conceal || r instanceof Playout.Silence);
        assertThat(gap).hasAtLeastOneElementOfType(Playout.Silence.class);
        assertThat(out.subList(60, out.size())).allMatch(r -> r instanceof Playout.Packet);
        assertThat(buffer.stats().lost()).isZero();
        assertThat(buffer.stats().resyncs()).isZero();
    }

    @Test
    void aLongGapEndsTheTalkSpurtAndTheNextOneRebuildsDepth() {
        JitterTraffic traffic = new JitterTraffic(11);
        traffic.send(0, 0, 100, 960, 0, 0, JitterTraffic.Jitter.uniform(40));
        traffic.send(100, 250 * 960L, 100, 960, 5_000 * MS, 0, JitterTraffic.Jitter.uniform(40));
        List<Playout> out = new ArrayList<>();
        traffic.play(buffer, 7_200 * MS, out::add);
        assertThat(buffer.stats().resyncs()).isEqualTo(1);
        assertThat(out.subList(120, 245)).allMatch(r -> r instanceof Playout.Silence || r instanceof Playout.Empty);
        assertThat(out.subList(120, 245)).hasAtLeastOneElementOfType(Playout.Empty.class);
        assertThat(out.stream().filter(r -> r instanceof Playout.Packet).count()).isGreaterThan(190);
        assertThat(buffer.stats().lost()).isLessThan(5);
    }

    @Test
    void aSequenceJumpBeyondTheWindowResyncs() {
        JitterTraffic traffic = new JitterTraffic(13);
        traffic.send(0, 0, 50, 960, 0, 0, JitterTraffic.Jitter.NONE);
        traffic.send(30_000, 123_456, 50, 960, 1_000 * MS, 0, JitterTraffic.Jitter.NONE);
        List<Playout> out = new ArrayList<>();
        traffic.play(buffer, 2_100 * MS, out::add);
        assertThat(buffer.stats().resyncs()).isEqualTo(1);
        assertThat(out.stream().filter(r -> r instanceof Playout.Packet).count()).isGreaterThanOrEqualTo(98);
    }

    @Test
    void steadyStateAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] payload = JitterTraffic.payload(0, 120);
        long id = Thread.currentThread().threadId();
        long before = 0;
        for (int i = 0; i < 200_000; i++) {
            if (i == 100_000) {
                before = threads.getThreadAllocatedBytes(id);
            }
            buffer.put(i & 0xFFFF, i * 960L, payload, 0, payload.length, i * 20 * MS);
            buffer.poll(i * 20 * MS + 5 * MS);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertThat(allocated).as("bytes for 100k put+poll").isLessThan(1_000);
        assertThat(buffer.stats().received()).isEqualTo(200_000);
    }
}
