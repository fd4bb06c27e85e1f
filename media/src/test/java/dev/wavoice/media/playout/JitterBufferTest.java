package dev.wavoice.media.playout;

import static dev.wavoice.media.playout.JitterTraffic.MS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitterBufferTest {
    private final JitterBuffer buffer = new JitterBuffer(JitterBufferConfig.opus());

    private void put(int seq, long ts, long arrivalMs) {
        byte[] p = JitterTraffic.payload(seq, 40);
        buffer.put(seq, ts, p, 0, p.length, arrivalMs * MS);
    }

    @Test
    void prebuffersThenPlaysEveryPacketOnceInOrder() {
        assertThat(buffer.poll(0)).isInstanceOf(Playout.Empty.class);
        List<Integer> played = new ArrayList<>();
        new JitterTraffic(1).send(100, 5000, 500, 960, 0, 0, JitterTraffic.Jitter.NONE)
                .play(buffer, 10_000 * MS, r -> {
                    if (r instanceof Playout.Packet(PayloadView v)) {
                        assertThat(JitterTraffic.seqOf(v)).isEqualTo(v.sequenceNumber());
                        assertThat(v.samples()).isEqualTo(960);
                        played.add(v.sequenceNumber());
                    }
                });
        assertThat(played).hasSize(500).isSorted().doesNotHaveDuplicates();
        JitterBufferStats s = buffer.stats();
        assertThat(s.lost()).isZero();
        assertThat(s.concealed()).isZero();
        assertThat(s.targetMillis()).isEqualTo(20);
    }

    @Test
    void reordersWithinTheWindow() {
        List<Integer> played = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 200; i += 2) { // pairs swapped: 1 0 3 2 5 4 ...
            put(i + 1, (i + 1) * 960L, t + 1);
            put(i, i * 960L, t + 2);
            for (int k = 0; k < 2; k++) {
                t += 20;
                if (buffer.poll(t * MS) instanceof Playout.Packet(PayloadView v)) {
                    played.add(v.sequenceNumber());
                }
            }
        }
        assertThat(played).hasSizeGreaterThan(195).isSorted().doesNotHaveDuplicates();
        assertThat(buffer.stats().lost()).isZero();
        assertThat(buffer.stats().late()).isZero();
    }

    @Test
    void dropsAndCountsDuplicatesIncludingOfPlayedPackets() {
        put(0, 0, 0);
        put(0, 0, 1);
        put(1, 960, 20);
        assertThat(buffer.poll(20 * MS)).isInstanceOf(Playout.Packet.class);
        put(0, 0, 21); // already played
        put(1, 960, 22); // still buffered
        assertThat(buffer.stats().duplicates()).isEqualTo(3);
        assertThat(buffer.stats().late()).isZero();
    }

    @Test
    void dropsAndCountsPacketsBehindThePlayoutPoint() {
        put(0, 0, 0);
        put(2, 1920, 40);
        assertThat(buffer.poll(20 * MS)).isInstanceOf(Playout.Packet.class);
        assertThat(buffer.poll(40 * MS)).isInstanceOf(Playout.Fec.class); // 1 missing, 2 is here
        put(1, 960, 45); // its turn has passed
        assertThat(buffer.stats().late()).isEqualTo(1);
        assertThat(buffer.poll(60 * MS)).isInstanceOfSatisfying(Playout.Packet.class,
                p -> assertThat(p.payload().sequenceNumber()).isEqualTo(2));
    }

    @Test
    void fecComesFromTheNextPacketWhichThenPlaysNormally() {
        put(10, 9600, 0);
        put(12, 11520, 35);
        put(13, 12480, 55);
        assertThat(buffer.poll(20 * MS)).isInstanceOf(Playout.Packet.class);
        Playout fec = buffer.poll(40 * MS);
        assertThat(fec).isInstanceOfSatisfying(Playout.Fec.class, f -> {
            assertThat(f.nextPayload().sequenceNumber()).isEqualTo(12);
            assertThat(JitterTraffic.seqOf(f.nextPayload())).isEqualTo(12);
            assertThat(f.samples()).isEqualTo(960);
        });
        assertThat(buffer.poll(60 * MS)).isInstanceOfSatisfying(Playout.Packet.class,
                p -> assertThat(p.payload().sequenceNumber()).isEqualTo(12));
        assertThat(buffer.stats().lost()).isEqualTo(1);
        assertThat(buffer.stats().fecRecovered()).isEqualTo(1);
    }

    @Test
    void concealsWhenNeitherThePacketNorItsSuccessorArrived() {
        put(0, 0, 0);
        put(3, 2880, 15);
        assertThat(buffer.poll(20 * MS)).isInstanceOf(Playout.Packet.class);
        assertThat(buffer.poll(40 * MS)).isInstanceOf(Playout.Conceal.class); // 1: 2 is missing too
        assertThat(buffer.poll(60 * MS)).isInstanceOf(Playout.Fec.class); // 2: 3 carries its FEC
        assertThat(buffer.poll(80 * MS)).isInstanceOf(Playout.Packet.class);
        JitterBufferStats s = buffer.stats();
        assertThat(s.lost()).isEqualTo(2);
        assertThat(s.concealed()).isEqualTo(1);
        assertThat(s.fecRecovered()).isEqualTo(1);
    }

    @Test
    void tenPercentRandomLossNeverLeavesAGapOnceStarted() {
        JitterTraffic traffic = new JitterTraffic(42)
                .send(65_000, 0xFFFF_0000L, 3_000, 960, 0, 0, JitterTraffic.Jitter.uniform(30)).drop(0.10);
        int[] kinds = new int[5];
        boolean[] started = {false};
        List<Integer> order = new ArrayList<>();
        traffic.play(buffer, 60_000 * MS, r -> {
            switch (r) {
                case Playout.Packet p -> {
                    kinds[0]++;
                    order.add(p.payload().sequenceNumber());
                }
                case Playout.Fec f -> kinds[1]++;
                case Playout.Conceal c -> kinds[2]++;
                case Playout.Silence s -> kinds[3]++;
                case Playout.Empty e -> kinds[4]++;
            }
            if (!(r instanceof Playout.Empty)) {
                started[0] = true;
            } else {
                assertThat(started[0]).as("no Empty once playing").isFalse();
            }
        });
        JitterBufferStats s = buffer.stats();
        assertThat(s.received()).isBetween(2_600L, 2_750L);
        assertThat(kinds[3]).as("silence while packets keep coming").isZero();
        assertThat(s.lost()).isBetween(250L, 350L);
        assertThat(s.fecRecovered()).as("about 90 % of single losses have their successor").isGreaterThan(200);
        assertThat(s.concealed()).isPositive();
        assertThat(kinds[1]).isEqualTo((int) s.fecRecovered());
        // Every received packet was played, dropped as late or for drift, or is still buffered at the end.
        long accounted = kinds[0] + s.late() + s.driftDropped();
        assertThat(accounted).isBetween(s.received() - 12, s.received());
        // Played in sequence order across the wrap at 65535.
        for (int i = 1; i < order.size(); i++) {
            assertThat((order.get(i) - order.get(i - 1)) & 0xFFFF).isBetween(1, 10);
        }
    }

    @Test
    void readsTheFrameDurationFromTimestampDeltas() {
        List<Playout> out = new ArrayList<>();
        new JitterTraffic(7).send(0, 0, 100, 1920, 0, 0, JitterTraffic.Jitter.NONE).drop(0.05)
                .play(buffer, 4_000 * MS, out::add);
        assertThat(buffer.frameSamples()).isEqualTo(1920);
        assertThat(out.subList(5, out.size())).filteredOn(r -> !(r instanceof Playout.Empty))
                .allMatch(r -> r.samples() == 1920);
    }

    @Test
    void countsInvalidPayloads() {
        assertThat(buffer.put(0, 0, new byte[2000], 0, 1276, 0)).isFalse();
        assertThat(buffer.put(0, 0, new byte[10], 0, 0, 0)).isFalse();
        assertThat(buffer.stats().invalid()).isEqualTo(2);
        assertThat(buffer.poll(20 * MS)).isInstanceOf(Playout.Empty.class);
    }

    @Test
    void copiesThePayloadSoTheCallerMayReuseItsBuffer() {
        byte[] reused = JitterTraffic.payload(5, 40);
        buffer.put(5, 0, reused, 0, 40, 0);
        java.util.Arrays.fill(reused, (byte) 0);
        assertThat(buffer.poll(20 * MS)).isInstanceOfSatisfying(Playout.Packet.class,
                p -> assertThat(JitterTraffic.seqOf(p.payload())).isEqualTo(5));
    }

    @Test
    void packetsLargerThanTheirSlotArePlayedWholeAndEachSlotGrowsAtMostOnce() {
        JitterBufferConfig config = JitterBufferConfig.opus();
        assertThat(config.slotBytes()).as("2 x 160 B, the mean frame at 64 kbit/s").isEqualTo(320);
        int big = 1000; // e.g. a 400 kbit/s fullband music stream, or a peer ignoring the SDP
        List<Integer> lengths = new ArrayList<>();
        long t = 0;
        for (int seq = 0; seq < 300; seq++) {
            byte[] p = JitterTraffic.payload(seq, seq % 2 == 0 ? big : 60);
            assertThat(buffer.put(seq, seq * 960L, p, 0, p.length, t * MS)).isTrue();
            t += 20;
            if (buffer.poll(t * MS) instanceof Playout.Packet(PayloadView v)) {
                assertThat(JitterTraffic.seqOf(v)).isEqualTo(v.sequenceNumber());
                assertThat(v.array()[v.length() - 1]).isEqualTo(JitterTraffic.payload(v.sequenceNumber(), v.length())[v.length() - 1]);
                lengths.add(v.length());
            }
        }
        JitterBufferStats s = buffer.stats();
        assertThat(s.invalid()).isZero();
        assertThat(lengths).hasSizeGreaterThan(290).contains(big, 60);
        // Even sequence numbers land in the even half of the 64-slot ring: 32 slots grew, once each.
        assertThat(s.grownSlots()).isEqualTo(config.capacityPackets() / 2);
    }

    /** The sender's clock steps 10 s ahead, then 30 s back, while packets keep coming every 20 ms in sequence. */
    @Test
    void aSenderClockSteppingEitherWayIsPlayedThroughNotAsSilenceOrDelay() {
        List<Playout> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 300; i++) {
            long ts = 960L * i + (i >= 100 ? 480_000L : 0) - (i >= 200 ? 1_440_000L : 0);
            put(i, ts & 0xFFFF_FFFFL, t);
            t += 20;
            out.add(buffer.poll(t * MS));
        }
        JitterBufferStats s = buffer.stats();
        assertThat(s.timestampSteps()).isEqualTo(2);
        assertThat(s.resyncs()).isZero();
        assertThat(out.subList(5, out.size())).as("every frame after the start a packet")
                .allMatch(r -> r instanceof Playout.Packet);
        assertThat(s.targetMillis()).as("the step back did not count as 30 s of network delay").isEqualTo(20);
    }

    /** A pause the sender meant (DTX: the timestamps and the arrivals both jump 2 s) is not a clock step. */
    @Test
    void aPauseTheSenderMeantIsNotAClockStep() {
        long t = 0;
        for (int i = 0; i < 100; i++) {
            long ts = 960L * i + (i >= 50 ? 96_000L : 0);
            put(i, ts, t + (i >= 50 ? 2_000 : 0));
            t += 20;
        }
        assertThat(buffer.stats().timestampSteps()).isZero();
    }
}
