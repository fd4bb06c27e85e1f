package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording must not allocate per packet (issue 17's goal): two offers and a tick, 20,000 times after as many to
 * warm up, the pages written to a real file on the same thread (a direct executor), so the hand-off and the
 * {@link FilePageSink} are measured too. Asserts less than one byte per round: one object per 20 ms would be 16.
 */
class TwoChannelRecorderAllocationTest {
    static final int ROUNDS = 20_000;

    @TempDir
    Path dir;

    record Round(long bytes, double bytesPerRound, double nanosPerRound, long pagesWritten) {}

    static Round run(TwoChannelRecorder recorder, byte[] caller, byte[] agent, int rounds, int firstTick) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long bytesBefore = recorder.summary().bytesWritten();
        long before = mx.getThreadAllocatedBytes(tid);
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            caller[5] = (byte) i; // what changes per packet
            agent[5] = (byte) i;
            recorder.offerCaller(caller, 0, caller.length - (i & 7));
            recorder.offerAgent(agent, 0, agent.length - (i & 3));
            recorder.tick(firstTick + i, 0);
        }
        long t1 = System.nanoTime();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        long written = recorder.summary().bytesWritten() - bytesBefore;
        return new Round(allocated, allocated / (double) rounds, (t1 - t0) / (double) rounds, written);
    }

    @Test
    void offersAndTicksDoNotAllocatePerPacket() throws Exception {
        TwoChannelRecorder recorder = TwoChannelRecorder.toFile(dir.resolve("alloc.opus"),
                RecorderOptions.labelled("alloc"), Runnable::run);
        byte[] caller = new byte[90];
        byte[] agent = new byte[110];
        caller[0] = (byte) (31 << 3); // CELT fullband 20 ms
        agent[0] = (byte) (13 << 3);  // hybrid super-wideband 20 ms
        run(recorder, caller, agent, ROUNDS, 0);
        Round measured = run(recorder, caller, agent, ROUNDS, ROUNDS);
        RecordingSummary summary = recorder.stop().get();
        System.out.printf("recording: %d rounds, %d bytes allocated (%.3f B/round), %.0f ns/round, %d bytes written%n",
                ROUNDS, measured.bytes(), measured.bytesPerRound(), measured.nanosPerRound(), measured.pagesWritten());
        assertThat(summary.writeErrors()).isZero();
        assertThat(summary.caller().frames()).isEqualTo(2L * ROUNDS);
        assertThat(measured.pagesWritten()).as("the pages did reach the file").isGreaterThan(ROUNDS * 150L);
        assertThat(measured.bytesPerRound()).isLessThan(1.0);
    }
}
