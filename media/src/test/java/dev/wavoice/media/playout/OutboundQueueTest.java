package dev.wavoice.media.playout;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {
    private final OutboundQueue queue = new OutboundQueue(OutboundQueueConfig.of(24_000, 20, 100)); // 480/frame

    private static short[] ramp(int n, int start) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
            s[i] = (short) (start + i);
        }
        return s;
    }

    @Test
    void reframesChunksOfAnySizeInOrder() {
        queue.beginUtterance(1);
        short[] all = ramp(480 * 3, 0);
        queue.offer(all, 0, 100);
        queue.offer(all, 100, 1000);
        queue.offer(all, 1100, 340);
        for (int f = 0; f < 3; f++) {
            assertThat(queue.poll()).isTrue();
            assertThat(queue.current().samples()[0]).isEqualTo((short) (f * 480));
            assertThat(queue.current().samples()[479]).isEqualTo((short) (f * 480 + 479));
            assertThat(queue.current().length()).isEqualTo(480);
        }
        assertThat(queue.poll()).as("silence when empty").isFalse();
        assertThat(queue.stats().idleTicks()).isEqualTo(1);
    }

    @Test
    void playedMillisCountsWhatWasSentNotWhatWasQueued() {
        queue.beginUtterance(7);
        queue.offer(new short[480 * 10 + 120], 0, 480 * 10 + 120); // 205 ms
        queue.endUtterance();
        for (int i = 0; i < 4; i++) {
            queue.poll();
        }
        assertThat(queue.playedMillis(7)).isEqualTo(80);
        queue.clear();
        assertThat(queue.poll()).isFalse();
        assertThat(queue.playedMillis(7)).isEqualTo(80);

        queue.beginUtterance(8);
        queue.offer(new short[480 * 2 + 120], 0, 480 * 2 + 120);
        queue.endUtterance(); // the 5 ms tail is padded to a frame but counts as 5 ms
        while (queue.poll()) {
            assertThat(queue.current().utteranceId()).isEqualTo(8);
        }
        assertThat(queue.playedSamples(8)).isEqualTo(480 * 2 + 120);
        assertThat(queue.playedMillis(8)).isEqualTo(45);
        assertThat(queue.playedMillis(7)).isEqualTo(80);
        assertThat(queue.playedMillis(99)).isZero();
    }

    @Test
    void clearMidUtteranceDiscardsTheQueueAndAHalfBuiltFrame() {
        queue.beginUtterance(1);
        queue.offer(new short[480 * 50], 0, 480 * 50);
        queue.offer(new short[100], 0, 100); // half-built frame
        assertThat(queue.poll()).isTrue();
        queue.clear();
        assertThat(queue.poll()).isFalse();
        queue.endUtterance(); // the half frame from before the clear must not surface
        assertThat(queue.poll()).isFalse();
        assertThat(queue.stats().cleared()).isEqualTo(49);
        assertThat(queue.playedMillis(1)).isEqualTo(20);
    }

    @Test
    void overflowDropsTheOldestAndCountsIt() {
        queue.beginUtterance(1);
        for (int f = 0; f < 130; f++) {
            queue.offer(ramp(480, f), 0, 480);
        }
        assertThat(queue.queuedFrames()).isEqualTo(100);
        assertThat(queue.stats().overflowDropped()).isEqualTo(30);
        assertThat(queue.poll()).isTrue();
        assertThat(queue.current().samples()[0]).as("oldest kept frame").isEqualTo((short) 30);
    }

    @Test
    void clearThroughThePacerLetsAtMostOneMoreFrameOut() {
        List<Long> sent = new ArrayList<>();
        int[] idle = {0};
        PacedStream stream = queue.pacedInto(new OutboundSink() {
            @Override
            public void send(OutboundFrame frame, long tickIndex, long nowNanos) {
                sent.add(tickIndex);
            }

            @Override
            public void idle(long tickIndex, long nowNanos) {
                idle[0]++;
            }
        });
        queue.beginUtterance(3);
        queue.offer(new short[480 * 100], 0, 480 * 100); // 2 s queued
        stream.tick(0, 0);
        stream.tick(1, 0);
        queue.clear();
        for (int t = 2; t < 10; t++) {
            stream.tick(t, 0);
        }
        assertThat(sent).containsExactly(0L, 1L);
        assertThat(idle[0]).isEqualTo(8);
        assertThat(queue.playedMillis(3)).isEqualTo(40);
    }

    @Test
    void producerAndConsumerThreadsHandOffEveryFrameIntactUnderOverflowAndClears() throws Exception {
        OutboundQueue q = new OutboundQueue(OutboundQueueConfig.of(48_000, 20, 8));
        int frames = 200_000;
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        long[] seen = {0, 0}; // frames, torn frames
        Thread consumer = Thread.ofPlatform().start(() -> {
            while (!done.get() || q.queuedFrames() > 0) {
                if (q.poll()) {
                    short[] s = q.current().samples();
                    short v = s[0];
                    if (s[959] != v || s[480] != v) {
                        seen[1]++;
                    }
                    seen[0]++;
                }
            }
            finished.countDown();
        });
        short[] frame = new short[960];
        for (int f = 0; f < frames; f++) {
            java.util.Arrays.fill(frame, (short) f);
            q.offer(frame, 0, 960);
            if (f % 10_000 == 0) {
                q.clear();
            }
        }
        done.set(true);
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        consumer.join();
        OutboundQueueStats s = q.stats();
        assertThat(seen[1]).as("torn frames").isZero();
        assertThat(s.sent()).isEqualTo(seen[0]);
        assertThat(s.sent() + s.overflowDropped() + s.cleared()).isEqualTo(frames);
    }

    @Test
    void encodedFramesPassThroughInOrderWithPcmAndCountPlayedTime() {
        OutboundQueue q = new OutboundQueue(OutboundQueueConfig.of(48_000, 20, 50).withEncodedFrames(1275));
        q.beginUtterance(5);
        q.offer(ramp(100, 1), 0, 100); // a partial PCM frame, flushed before the encoded one
        byte[] opus = {(byte) 0xFC, 1, 2, 3};
        assertThat(q.offerEncoded(opus, 0, opus.length, 960)).isTrue();
        assertThat(q.offerEncoded(new byte[1276], 0, 1276, 960)).isFalse();
        assertThat(q.poll()).isTrue();
        assertThat(q.current().isEncoded()).isFalse();
        assertThat(q.current().length()).isEqualTo(100);
        assertThat(q.poll()).isTrue();
        assertThat(q.current().isEncoded()).isTrue();
        assertThat(java.util.Arrays.copyOf(q.current().encoded(), q.current().encodedLength())).isEqualTo(opus);
        assertThat(q.playedMillis(5)).isEqualTo(22); // 100 samples + 960 samples at 48 kHz
        assertThat(q.poll()).isFalse();
    }

    @Test
    void steadyStateAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        short[] chunk = new short[333];
        long before = 0;
        for (int i = 0; i < 100_000; i++) {
            if (i == 50_000) {
                before = threads.getThreadAllocatedBytes(id);
            }
            if (i % 500 == 0) {
                queue.beginUtterance(i);
            }
            queue.offer(chunk, 0, chunk.length);
            queue.poll();
        }
        assertThat(threads.getThreadAllocatedBytes(id) - before).isLessThan(1_000);
    }

    @Test
    void anEncodedFrameLargerThanItsSlotIsQueuedWholeAndTheSlotGrowsOnce() {
        OutboundQueue q = new OutboundQueue(OutboundQueueConfig.of(48_000, 20, 8).withEncodedFrames(1275)
                .withEncodedSlots(160));
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        byte[][] frames = new byte[100][];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new byte[i % 3 == 0 ? 1275 : 80];
            java.util.Arrays.fill(frames[i], (byte) i);
        }
        long allocatedAfterWarmUp = 0;
        int intact = 0;
        for (int i = 0; i < frames.length; i++) {
            byte[] frame = frames[i];
            long before = threads.getThreadAllocatedBytes(id);
            boolean queued = q.offerEncoded(frame, 0, frame.length, 960) && q.poll();
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            if (i >= 50) {
                allocatedAfterWarmUp += allocated;
            }
            OutboundFrame got = q.current();
            if (queued && got.encodedLength() == frame.length
                    && java.util.Arrays.equals(got.encoded(), 0, frame.length, frame, 0, frame.length)) {
                intact++;
            }
        }
        OutboundQueueStats s = q.stats();
        assertThat(intact).isEqualTo(frames.length);
        assertThat(s.overflowDropped()).isZero();
        assertThat(s.grownSlots()).as("each of the 8 slots at most once").isBetween(1L, 8L);
        assertThat(allocatedAfterWarmUp).as("once grown, nothing more").isZero();
    }
}
