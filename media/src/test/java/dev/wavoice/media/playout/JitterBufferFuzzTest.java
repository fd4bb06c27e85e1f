package dev.wavoice.media.playout;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The jitter buffer fed packets in any order with any sequence numbers, timestamps, sizes and arrival times,
 * and polled at any moments. Each packet put carries its own id in its payload, so every frame played can be traced:
 * none is played twice, each is played with the exact bytes put under its sequence number, frames come out in
 * sequence order (a resync, counted, may start over), and memory stays bounded (each slot grows at most once).
 */
class JitterBufferFuzzTest {
    private static final JitterBufferConfig CONFIG = JitterBufferConfig.opus();

    @FuzzTest
    void neverTwiceNeverOutOfOrderBounded(FuzzedDataProvider data) {
        JitterBuffer buffer = new JitterBuffer(CONFIG);
        List<byte[]> put = new ArrayList<>();
        List<Integer> putSeq = new ArrayList<>();
        Set<Integer> played = new HashSet<>();
        long now = 0;
        int seq = data.consumeInt(0, 0xFFFF);
        long ts = data.consumeLong(0, 0xFFFFFFFFL);
        int lastPlayedSeq = -1;
        long resyncsAtLastPlay = 0;
        int steps = data.consumeInt(0, 500);
        for (int i = 0; i < steps && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 3)) {
                case 0, 1 -> {
                    int seqDelta = data.consumeBoolean() ? data.consumeInt(-3, 4) : data.consumeInt(-0x8000, 0x7FFF);
                    seq = (seq + seqDelta) & 0xFFFF;
                    ts = (ts + (data.consumeBoolean() ? 960L * seqDelta : data.consumeInt())) & 0xFFFFFFFFL;
                    int id = put.size();
                    byte[] payload = payload(id, data.consumeInt(-1, 1400));
                    now += data.consumeLong(0, 100_000_000L);
                    if (buffer.put(seq, ts, payload, 0, payload.length, now)
                            && (payload.length < 1 || payload.length > CONFIG.maxPayloadBytes())) {
                        throw new AssertionError("kept a payload of " + payload.length + " bytes");
                    }
                    put.add(payload);
                    putSeq.add(seq);
                }
                case 2 -> buffer.reset();
                default -> {
                    now += data.consumeLong(0, 100_000_000L);
                    if (buffer.poll(now) instanceof Playout.Packet(PayloadView view)) {
                        assertThat(view.length()).isGreaterThanOrEqualTo(4);
                        int id = ByteBuffer.wrap(view.array(), 0, 4).getInt();
                        assertThat(id).isBetween(0, put.size() - 1);
                        assertThat(played.add(id)).as("packet %d played twice", id).isTrue();
                        byte[] bytes = new byte[view.length()];
                        view.copyTo(bytes, 0);
                        assertThat(bytes).isEqualTo(put.get(id));
                        assertThat(view.sequenceNumber()).isEqualTo(putSeq.get(id));
                        long resyncs = buffer.stats().resyncs();
                        if (lastPlayedSeq >= 0 && resyncs == resyncsAtLastPlay) {
                            assertThat((short) (view.sequenceNumber() - lastPlayedSeq)).as("out of order")
                                    .isPositive();
                        }
                        lastPlayedSeq = view.sequenceNumber();
                        resyncsAtLastPlay = resyncs;
                    }
                }
            }
            if (buffer.stats().grownSlots() > CONFIG.capacityPackets()) { // plain: every step, kept cheap
                throw new AssertionError("more slots grew than there are: " + buffer.stats());
            }
        }
        JitterBufferStats stats = buffer.stats();
        assertThat(stats.received()).isEqualTo(put.size());
    }

    /** {@code id} big-endian, then bytes derived from it, so a payload shows whose it is; length <= 0 is invalid. */
    private static byte[] payload(int id, int length) {
        if (length <= 0) {
            return new byte[0];
        }
        byte[] p = new byte[Math.max(4, length)];
        ByteBuffer.wrap(p).putInt(id);
        for (int i = 4; i < p.length; i++) {
            p[i] = (byte) (id * 31 + i);
        }
        return p;
    }
}
