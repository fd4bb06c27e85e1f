package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The threads of a real call: caller packets from one thread, agent packets from another, ticks from the shared
 * pacer's clock thread, pages from a writer thread. Every tick writes one frame per side, every offered packet is
 * either written, dropped or still waiting, and opusdec decodes exactly ticks × 20 ms less the pre-skip.
 */
class TwoChannelRecorderThreadsTest {
    static final int PACKETS = 75;

    @TempDir
    Path dir;

    static Thread producer(String name, byte toc, int length, java.util.function.Consumer<byte[]> offer) {
        return Thread.ofPlatform().name(name).start(() -> {
            byte[] p = new byte[length];
            long next = System.nanoTime();
            for (int i = 0; i < PACKETS; i++) {
                p[0] = toc;
                p[1] = (byte) i;
                offer.accept(p);
                next += 20_000_000L;
                LockSupport.parkNanos(next - System.nanoTime()); // a peer's 20 ms clock, not a wait for a condition
            }
        });
    }

    @Test
    void offersFromTwoThreadsAndTicksFromThePacerMakeOneConsistentFile() throws Exception {
        Pacer pacer = new Pacer(PacerConfig.defaults()).start();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Path file = dir.resolve("threads.opus");
        try {
            TwoChannelRecorder recorder = TwoChannelRecorder.toFile(file, RecorderOptions.labelled("threads"), writer);
            recorder.start(pacer);
            Thread caller = producer("caller", (byte) (31 << 3), 80, p -> recorder.offerCaller(p, 0, p.length));
            Thread agent = producer("agent", (byte) (9 << 3), 60, p -> recorder.offerAgent(p, 0, p.length));
            caller.join(10_000);
            agent.join(10_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> recorder.summary().durationMillis() >= PACKETS * 20L);
            RecordingSummary summary = recorder.stop().get(10, TimeUnit.SECONDS);
            long ticks = summary.durationMillis() / 20;
            for (ChannelCounts side : new ChannelCounts[] {summary.caller(), summary.agent()}) {
                assertThat(side.frames() + side.emptyFrames() + side.invalidFrames()).isEqualTo(ticks);
                assertThat(side.invalidFrames()).isZero();
                assertThat(side.frames() + side.droppedFrames()).isBetween(PACKETS - 6L, (long) PACKETS);
            }
            assertThat(summary.writeErrors()).isZero();
            assertThat(summary.bytesWritten()).isEqualTo(Files.size(file));
            assertThat(Opusdec.decode(file).frames()).isEqualTo((int) (ticks * 960 - OpusHeaders.PRE_SKIP));
            assertThat(recorder.summary().durationMillis()).as("no tick after stop").isEqualTo(ticks * 20);
        } finally {
            pacer.close();
            writer.shutdown();
        }
    }
}
