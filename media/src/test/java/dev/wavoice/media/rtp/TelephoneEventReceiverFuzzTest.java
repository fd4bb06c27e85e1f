package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stream of RFC 4733 telephone-event payloads in any order, duplicated, truncated, with any event code, E bit,
 * duration and arrival time, through {@link TelephoneEventReceiver}. Events come out as Started then Ended for the
 * same digit and timestamp, strictly alternating; a digit is only ever one a packet of that timestamp carried; a
 * dropped packet reports nothing; and within the receiver's memory (its reorder window of 2 s after the last packet
 * it kept, its last eight events) no event is reported twice.
 */
class TelephoneEventReceiverFuzzTest {
    private static final long[] TIMESTAMPS = {0, 160, 320, 4000, 0xFFFFFF00L, 0xFFFFFFFFL, 48_000, 1L << 31};

    @FuzzTest
    void digitsOncePerEventNeverInvented(FuzzedDataProvider data) {
        List<DtmfEvent> events = new ArrayList<>();
        TelephoneEventReceiver receiver = TelephoneEventReceiver.withDefaults(events::add);
        Map<Long, Set<Character>> sent = new HashMap<>();
        ArrayDeque<Long> lastStarted = new ArrayDeque<>();
        long now = 1_000_000_000L;
        long lastKept = Long.MIN_VALUE / 2;
        DtmfEvent.Started open = null;
        int packets = data.consumeInt(0, 200);
        for (int i = 0; i < packets && data.remainingBytes() > 0; i++) {
            long gap = data.consumeBoolean() ? data.consumeLong(0, 50_000_000L) : data.consumeLong(0, 5_000_000_000L);
            now += gap;
            // The receiver remembers eight events, and takes an older timestamp for a late packet only within 2 s
            // of the last packet it kept (later, the sender restarted its timeline): inside both, no event twice.
            boolean recent = now - lastKept < 1_900_000_000L;
            int before = events.size();
            if (data.consumeInt(0, 15) == 0) {
                receiver.poll(now);
                assertThat(events.size() - before).isLessThanOrEqualTo(1);
            } else {
                long ts = data.consumeBoolean() ? TIMESTAMPS[data.consumeInt(0, TIMESTAMPS.length - 1)]
                        : data.consumeLong(0, 0xFFFFFFFFL);
                byte[] payload = data.consumeBytes(data.consumeInt(0, 8));
                if (payload.length >= 4 && DtmfEvent.digitOf(payload[0] & 0xFF) != 0) {
                    sent.computeIfAbsent(ts, k -> new HashSet<>()).add(DtmfEvent.digitOf(payload[0] & 0xFF));
                }
                boolean kept = receiver.onPacket(ts, payload, 0, payload.length, now);
                if (kept) {
                    lastKept = now;
                }
                if (!kept && events.size() != before) {
                    throw new AssertionError("a dropped packet reported " + events.subList(before, events.size()));
                }
            }
            for (DtmfEvent e : events.subList(before, events.size())) {
                switch (e) {
                    case DtmfEvent.Started s -> {
                        assertThat(open).as("started while another event was open").isNull();
                        assertThat(sent.getOrDefault(s.timestamp(), Set.of())).as("invented %s", s).contains(s.digit());
                        if (recent && lastStarted.contains(s.timestamp())) {
                            throw new AssertionError("reported twice: " + s + ", recent events " + lastStarted);
                        }
                        lastStarted.addLast(s.timestamp());
                        if (lastStarted.size() > 8) {
                            lastStarted.removeFirst();
                        }
                        open = s;
                    }
                    case DtmfEvent.Ended d -> {
                        assertThat(open).as("ended without a start").isNotNull();
                        assertThat(d.digit()).isEqualTo(open.digit());
                        assertThat(d.timestamp()).isEqualTo(open.timestamp());
                        assertThat(d.durationMillis()).isBetween(0, 65535 * 1000 / 8000);
                        assertThat(d.volume()).isBetween(0, 63);
                        open = null;
                    }
                }
            }
            if (receiver.inEvent() != (open != null)) { // plain: every step, kept cheap
                throw new AssertionError("inEvent " + receiver.inEvent() + " but open " + open);
            }
        }
        assertThat(receiver.stats().digits()).isEqualTo(events.stream().filter(e -> e instanceof DtmfEvent.Ended).count());
    }
}
