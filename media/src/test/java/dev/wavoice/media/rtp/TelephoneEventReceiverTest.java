package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** RFC 4733 reception: every digit exactly once, in order, whatever the network does to its packets. */
class TelephoneEventReceiverTest {
    static final long MS = 1_000_000;

    /** One packet as it travels: timestamp, payload, arrival. */
    record Pkt(long ts, int event, boolean end, int duration, long at) {
        byte[] payload() {
            return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | 10), (byte) (duration >> 8), (byte) duration};
        }
    }

    final List<DtmfEvent> got = new ArrayList<>();
    final TelephoneEventReceiver rx = TelephoneEventReceiver.withDefaults(got::add);

    /** What our Pion peer sends for one digit: 5 tone packets (the 5th with E) and 2 more end copies, 20 ms apart. */
    static List<Pkt> digit(char d, long ts, long startMs) {
        List<Pkt> out = new ArrayList<>();
        int event = DtmfEvent.eventOf(d);
        for (int i = 1; i <= 7; i++) {
            int slot = Math.min(i, 5);
            out.add(new Pkt(ts, event, i >= 5, slot * 160, (startMs + 20L * (i - 1)) * MS));
        }
        return out;
    }

    static List<Pkt> digits(String s, long firstTs) {
        List<Pkt> all = new ArrayList<>();
        long ts = firstTs;
        long ms = 0;
        for (char c : s.toCharArray()) {
            all.addAll(digit(c, ts & 0xFFFFFFFFL, ms));
            ts += 960 * 12; // 7 event slots + 5 pause slots of audio, on the 48 kHz timeline
            ms += 240;
        }
        return all;
    }

    void play(List<Pkt> pkts) {
        for (Pkt p : pkts) {
            byte[] b = p.payload();
            rx.onPacket(p.ts(), b, 0, b.length, p.at());
        }
    }

    String ended() {
        return got.stream().filter(e -> e instanceof DtmfEvent.Ended).map(e -> String.valueOf(e.digit()))
                .collect(Collectors.joining());
    }

    String started() {
        return got.stream().filter(e -> e instanceof DtmfEvent.Started).map(e -> String.valueOf(e.digit()))
                .collect(Collectors.joining());
    }

    @Test
    void aCleanDigitIsOneStartAndOneEnd() {
        play(digit('5', 48000, 0));
        assertThat(got).containsExactly(new DtmfEvent.Started('5', 48000),
                new DtmfEvent.Ended('5', 48000, 100, 10, true));
        assertThat(rx.stats().late()).isEqualTo(2);
        assertThat(rx.stats().digits()).isEqualTo(1);
        assertThat(rx.inEvent()).isFalse();
    }

    @Test
    void allSixteenEvents() {
        play(digits("0123456789*#ABCD", 1000));
        assertThat(ended()).isEqualTo("0123456789*#ABCD");
        assertThat(started()).isEqualTo("0123456789*#ABCD");
    }

    @Test
    void lossOfTheFirstPacketStillStartsTheEvent() {
        List<Pkt> p = digit('7', 5000, 0);
        p.removeFirst();
        play(p);
        assertThat(ended()).isEqualTo("7");
        assertThat(((DtmfEvent.Ended) got.getLast()).durationMillis()).isEqualTo(100);
    }

    @Test
    void onlyOneEndPacketArrivingIsEnough() {
        List<Pkt> p = digit('3', 5000, 0);
        p.remove(4);
        p.remove(4); // two of three end copies lost
        play(p);
        assertThat(got).hasSize(2);
        assertThat(((DtmfEvent.Ended) got.getLast()).endSeen()).isTrue();
    }

    @Test
    void allEndPacketsLostThenTheNextDigitEndsIt() {
        List<Pkt> p = new ArrayList<>(digits("12", 0));
        p.removeIf(x -> x.event() == 1 && x.end());
        play(p);
        assertThat(ended()).isEqualTo("12");
        assertThat(got.stream().map(e -> e.getClass().getSimpleName() + e.digit()).toList())
                .containsExactly("Started1", "Ended1", "Started2", "Ended2");
        assertThat(((DtmfEvent.Ended) got.get(1)).endSeen()).isFalse();
        assertThat(((DtmfEvent.Ended) got.get(1)).durationMillis()).isEqualTo(80);
        assertThat(rx.stats().endsInferred()).isEqualTo(1);
    }

    @Test
    void allEndPacketsLostAndNothingFollowsThenTheTimeoutEndsIt() {
        List<Pkt> p = digit('9', 0, 0);
        p.removeIf(Pkt::end);
        play(p); // last packet at 60 ms
        rx.poll(200 * MS);
        assertThat(ended()).isEmpty();
        rx.poll(261 * MS);
        assertThat(ended()).isEqualTo("9");
        rx.poll(1_000 * MS);
        assertThat(ended()).isEqualTo("9");
    }

    @Test
    void duplicatesAreReportedOnce() {
        List<Pkt> p = new ArrayList<>();
        for (Pkt x : digits("44", 0)) {
            p.add(x);
            p.add(x);
        }
        play(p);
        assertThat(ended()).isEqualTo("44");
        assertThat(started()).isEqualTo("44");
    }

    @Test
    void reorderingWithinAndAcrossEvents() {
        List<Pkt> p = new ArrayList<>(digits("68", 0));
        // the E packet of '6' overtakes its 4th tone packet; a late copy of '6''s end arrives after '8' began
        Collections.swap(p, 3, 4);
        Pkt lateEnd = p.remove(6);
        p.add(9, lateEnd);
        play(p);
        assertThat(ended()).isEqualTo("68");
        assertThat(started()).isEqualTo("68");
    }

    @Test
    void anOlderEventNeverSeenIsDroppedNotReportedOutOfOrder() {
        List<Pkt> one = digit('1', 1000, 0);
        List<Pkt> two = digit('2', 20000, 100);
        play(two.subList(0, 3));
        play(one);
        play(two.subList(3, 7));
        assertThat(ended()).isEqualTo("2");
        assertThat(rx.stats().late()).isGreaterThanOrEqualTo(7);
    }

    @Test
    void aRestartedTimelineIsNotMistakenForLatePackets() {
        play(digit('1', 1_000_000, 0));
        play(digit('2', 5_000, 5_000)); // 5 s later, from a timestamp far below: the sender restarted
        assertThat(ended()).isEqualTo("12");
    }

    @Test
    void timestampsWrappingAround32Bits() {
        play(digits("#*", 0xFFFFFFFFL - 960 * 5));
        assertThat(ended()).isEqualTo("#*");
    }

    @Test
    void garbageAndNonDigitEventsAreCountedNotReported() {
        byte[] shortPayload = {1, 2, 3};
        assertThat(rx.onPacket(1, shortPayload, 0, 3, 0)).isFalse();
        byte[] flash = {16, (byte) 0x8A, 0, (byte) 160}; // event 16: hook flash, not a digit
        assertThat(rx.onPacket(2, flash, 0, 4, 0)).isFalse();
        assertThat(got).isEmpty();
        assertThat(rx.stats().malformed()).isEqualTo(1);
        assertThat(rx.stats().nonDtmf()).isEqualTo(1);
    }

    @Test
    void randomLossDuplicationAndLocalReorderingOfAWholeSequence() {
        Random rnd = new Random(20261125);
        for (int round = 0; round < 200; round++) {
            got.clear();
            TelephoneEventReceiver r = TelephoneEventReceiver.withDefaults(got::add);
            List<Pkt> p = new ArrayList<>();
            for (Pkt x : digits("1234#", rnd.nextLong(0, 1L << 32))) {
                // any packet may be lost, except that at least one packet of each digit must survive
                if (rnd.nextInt(10) == 0 && !(x.duration() == 160)) {
                    continue;
                }
                p.add(x);
                if (rnd.nextInt(10) == 0) {
                    p.add(x);
                }
            }
            for (int i = 0; i + 1 < p.size(); i++) {
                if (rnd.nextInt(5) == 0) {
                    Collections.swap(p, i, i + 1);
                }
            }
            for (Pkt x : p) {
                byte[] b = x.payload();
                r.onPacket(x.ts(), b, 0, 4, x.at());
            }
            r.poll(Long.MAX_VALUE / 2);
            assertThat(ended()).as("round %d", round).isEqualTo("1234#");
            assertThat(started()).as("round %d", round).isEqualTo("1234#");
        }
    }
}
