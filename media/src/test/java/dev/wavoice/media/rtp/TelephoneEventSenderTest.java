package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TelephoneEventSenderTest {
    static final long MS = 1_000_000;

    record Sent(int seq, long ts, boolean marker, int pt, int event, boolean end, int volume, int duration) {}

    final OutboundRtp out = new OutboundRtp(0x5555, 48000, 65533, 0);
    final RtpPacket view = new RtpPacket();
    final byte[] buf = new byte[64];

    /** Runs the pacer for {@code slots} 20 ms slots from audio timestamp {@code ts0}; audio fills free slots. */
    List<Sent> run(TelephoneEventSender tx, long ts0, int slots) {
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            long ts = ts0 + 960L * i;
            int n = tx.poll(out, ts, buf, 0, i * 20 * MS);
            if (n == 0) {
                n = out.writeHeader(buf, 0, 111, false, ts, 0, 3, i * 20 * MS) + 3;
            }
            assertThat(view.wrap(buf, 0, n)).isTrue();
            int p = view.payloadOffset();
            sent.add(new Sent(view.sequence(), view.timestamp(), view.marker(), view.payloadType(),
                    buf[p] & 0xFF, (buf[p + 1] & 0x80) != 0, buf[p + 1] & 0x3F, RtpPacket.u16(buf, p + 2)));
        }
        return sent;
    }

    @Test
    void oneDigitIsTheRfcSequence() {
        TelephoneEventSender tx = TelephoneEventSender.defaults(126);
        assertThat(tx.send("5")).isTrue();
        List<Sent> s = run(tx, 96000, 14);
        List<Sent> events = s.stream().filter(x -> x.pt() == 126).toList();
        assertThat(events).containsExactly(
                new Sent(65533, 96000, true, 126, 5, false, 10, 160),
                new Sent(65534, 96000, false, 126, 5, false, 10, 320),
                new Sent(65535, 96000, false, 126, 5, false, 10, 480),
                new Sent(0, 96000, false, 126, 5, false, 10, 640),
                new Sent(1, 96000, false, 126, 5, true, 10, 800),
                new Sent(2, 96000, false, 126, 5, true, 10, 800),
                new Sent(3, 96000, false, 126, 5, true, 10, 800));
        // audio resumes after the digit on the same sequence, on its own timeline
        assertThat(s.get(7).pt()).isEqualTo(111);
        assertThat(s.get(7).seq()).isEqualTo(4);
        assertThat(s.get(7).ts()).isEqualTo(96000 + 7 * 960);
        assertThat(tx.sentDigits()).isEqualTo(1);
        assertThat(tx.idle()).isTrue();
    }

    @Test
    void digitsArePausedApartAndRoundTripThroughTheReceiver() {
        TelephoneEventSender tx = TelephoneEventSender.defaults(126);
        assertThat(tx.send("1234#")).isTrue();
        List<Sent> s = run(tx, 0xFFFFFFFFL - 960 * 10, 70);
        List<DtmfEvent> got = new ArrayList<>();
        TelephoneEventReceiver rx = TelephoneEventReceiver.withDefaults(got::add);
        int firstGap = -1;
        for (int i = 0; i < s.size(); i++) {
            Sent x = s.get(i);
            if (x.pt() == 126) {
                byte[] p = {(byte) x.event(), (byte) ((x.end() ? 0x80 : 0) | x.volume()), (byte) (x.duration() >> 8),
                        (byte) x.duration()};
                rx.onPacket(x.ts(), p, 0, 4, i * 20 * MS);
            } else if (firstGap < 0) {
                firstGap = i;
            }
        }
        assertThat(firstGap).isEqualTo(7);
        assertThat(s.subList(7, 12)).allSatisfy(x -> assertThat(x.pt()).isEqualTo(111));
        assertThat(got.stream().filter(e -> e instanceof DtmfEvent.Ended).map(DtmfEvent::digit).toList())
                .containsExactly('1', '2', '3', '4', '#');
        assertThat(got).allSatisfy(e -> {
            if (e instanceof DtmfEvent.Ended end) {
                assertThat(end.durationMillis()).isEqualTo(100);
                assertThat(end.endSeen()).isTrue();
            }
        });
    }

    @Test
    void refusesWhatIsNotADigit() {
        TelephoneEventSender tx = TelephoneEventSender.defaults(126);
        assertThat(tx.send("12x")).isFalse();
        assertThat(tx.idle()).isTrue();
        assertThat(tx.send("a")).isTrue();
        assertThat(tx.poll(out, 0, new byte[10], 0, 0)).isEqualTo(-1);
        assertThat(tx.send("1".repeat(64))).isFalse();
    }
}
