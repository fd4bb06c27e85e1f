package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorder's bookkeeping, read back from the bytes it wrote: page structure, what each tick wrote for each side,
 * the ring dropping the oldest, and failures of the sink or the writer counted without an exception to the caller.
 */
class TwoChannelRecorderTest {
    static final Executor DIRECT = Runnable::run;
    /** CELT fullband 20 ms, one frame. */
    static final int TOC = 31 << 3;

    @TempDir
    Path dir;

    /** Pages kept in memory; fails on the given write (1-based) if positive. */
    static final class MemorySink implements PageSink {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int failOnWrite;
        int writes;
        boolean closed;

        MemorySink(int failOnWrite) {
            this.failOnWrite = failOnWrite;
        }

        @Override
        public void write(ByteBuffer page) throws IOException {
            if (++writes == failOnWrite) {
                throw new IOException("No space left on device");
            }
            bytes.write(page.array(), page.position(), page.remaining());
            page.position(page.limit());
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static byte[] packet(int seed, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) TOC;
        for (int i = 1; i < length; i++) {
            p[i] = (byte) (seed + i);
        }
        return p;
    }

    static TwoChannelRecorder recorder(PageSink sink, Executor writer) {
        return TwoChannelRecorder.toSink(null, sink, new RecorderOptions("unit", List.of("WAVOICE_CALL_ID=u1")),
                writer);
    }

    /** The caller's and the agent's packet in each audio packet of the stream (after the two headers). */
    static List<byte[][]> ticks(byte[] file) {
        List<byte[]> packets = OggPages.parse(file).packets();
        List<byte[][]> ticks = new ArrayList<>();
        OpusPacketLayout layout = new OpusPacketLayout();
        for (byte[] p : packets.subList(2, packets.size())) {
            assertThat(OpusFraming.parse(p, 0, p.length, true, layout)).isTrue();
            byte[] caller = Arrays.copyOfRange(p, 0, layout.end());
            byte[] agent = Arrays.copyOfRange(p, layout.end(), p.length);
            ticks.add(new byte[][] {caller, agent});
        }
        return ticks;
    }

    @Test
    void pagesCarryOneSecondEachWithGranulesFlagsAndSequence() throws Exception {
        MemorySink sink = new MemorySink(0);
        TwoChannelRecorder recorder = recorder(sink, DIRECT);
        for (int t = 0; t < 130; t++) {
            recorder.offerCaller(packet(t, 60), 0, 60);
            recorder.offerAgent(packet(t + 1, 70), 0, 70);
            recorder.tick(t, 0);
        }
        RecordingSummary summary = recorder.stop().get(5, TimeUnit.SECONDS);
        List<OggPages.Page> pages = OggPages.parse(sink.bytes.toByteArray()).pages();
        // OpusHead, OpusTags, then 50 + 50 + 30 packets, the last page closing the stream
        assertThat(pages).hasSize(5);
        assertThat(pages).extracting(OggPages.Page::sequence).containsExactly(0, 1, 2, 3, 4);
        assertThat(pages).extracting(OggPages.Page::serial).containsOnly(pages.getFirst().serial());
        assertThat(pages).extracting(OggPages.Page::flags).containsExactly(2, 0, 0, 0, 4);
        assertThat(pages).extracting(OggPages.Page::granule).containsExactly(0L, 0L, 48_000L, 96_000L, 124_800L);
        assertThat(summary.durationMillis()).isEqualTo(2600);
        assertThat(summary.bytesWritten()).isEqualTo(sink.bytes.size());
        assertThat(sink.closed).isTrue();
        // the caller's packet became self-delimited (TOC, length, data), the agent's is as sent
        byte[][] first = ticks(sink.bytes.toByteArray()).getFirst();
        byte[] sent = packet(0, 60);
        assertThat(first[0][0]).isEqualTo((byte) TOC);
        assertThat(first[0][1]).isEqualTo((byte) 59);
        assertThat(Arrays.copyOfRange(first[0], 2, first[0].length)).isEqualTo(Arrays.copyOfRange(sent, 1, 60));
        assertThat(first[1]).isEqualTo(packet(1, 70));
    }

    @Test
    void aFullRingDropsItsOldestAndEmptyTicksWriteConcealment() throws Exception {
        MemorySink sink = new MemorySink(0);
        TwoChannelRecorder recorder = recorder(sink, DIRECT);
        for (int i = 0; i < 8; i++) { // a burst of 8 caller packets before one tick: 2 too many for 6 slots
            recorder.offerCaller(packet(i, 10 + i), 0, 10 + i);
        }
        for (int t = 0; t < 8; t++) {
            recorder.tick(t, 0);
        }
        RecordingSummary summary = recorder.stop().get(5, TimeUnit.SECONDS);
        assertThat(summary.caller()).isEqualTo(new ChannelCounts(6, 2, 0, 2));
        assertThat(summary.agent()).isEqualTo(new ChannelCounts(0, 8, 0, 0));
        List<byte[][]> ticks = ticks(sink.bytes.toByteArray());
        assertThat(ticks).hasSize(8);
        for (int t = 0; t < 6; t++) { // packets 2..7, in order
            assertThat(ticks.get(t)[0]).hasSize(10 + t + 2 + 1);
        }
        byte silkWideband20 = (byte) (9 << 3);
        assertThat(ticks.get(6)[0]).containsExactly(TOC, 0); // the caller's last TOC, no data
        assertThat(ticks.get(7)[1]).containsExactly(silkWideband20); // the agent never sent: the default TOC
    }

    @Test
    void oversizedMalformedAndWrongDurationPacketsAreCountedAndConcealed() throws Exception {
        MemorySink sink = new MemorySink(0);
        TwoChannelRecorder recorder = recorder(sink, DIRECT);
        recorder.offerCaller(new byte[1400], 0, 1400);                     // longer than any 20 ms slot
        recorder.offerAgent(new byte[] {(byte) (TOC | 3), 0}, 0, 2);       // zero frames
        recorder.tick(0, 0);
        recorder.offerCaller(new byte[] {(byte) (30 << 3), 1, 2}, 0, 3);   // CELT 10 ms: not 20 ms
        recorder.offerAgent(new byte[0], 0, 0);                            // empty payload
        recorder.tick(1, 0);
        RecordingSummary summary = recorder.stop().get(5, TimeUnit.SECONDS);
        assertThat(summary.caller()).isEqualTo(new ChannelCounts(0, 0, 2, 0));
        assertThat(summary.agent()).isEqualTo(new ChannelCounts(0, 0, 2, 0));
        assertThat(ticks(sink.bytes.toByteArray())).allSatisfy(t -> assertThat(t[1]).hasSize(1));
    }

    @Test
    void aFailingWriteIsCountedOnceAndStopsTheRecordingWithoutAnExceptionToTheCaller() throws Exception {
        MemorySink sink = new MemorySink(4); // headers and the first audio page get through
        TwoChannelRecorder recorder = recorder(sink, DIRECT);
        assertThatCode(() -> {
            for (int t = 0; t < 300; t++) {
                recorder.offerCaller(packet(t, 40), 0, 40);
                recorder.offerAgent(packet(t, 40), 0, 40);
                recorder.tick(t, 0);
            }
        }).doesNotThrowAnyException();
        RecordingSummary summary = recorder.stop().get(5, TimeUnit.SECONDS);
        assertThat(summary.writeErrors()).isEqualTo(1);
        assertThat(sink.writes).as("nothing written after the failure").isEqualTo(4);
        assertThat(summary.bytesWritten()).isEqualTo(sink.bytes.size());
        assertThat(summary.durationMillis()).as("ticks after the failure record nothing").isLessThan(300 * 20);
        assertThat(sink.closed).isTrue();
        assertThat(recorder.stop()).isSameAs(recorder.stop());
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsAWriteErrorNotAnException() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADirectory.resolve("call.opus");
        TwoChannelRecorder recorder = TwoChannelRecorder.toFile(file, RecorderOptions.labelled("ro"), DIRECT);
        assertThatCode(() -> {
            for (int t = 0; t < 100; t++) {
                recorder.offerCaller(packet(t, 40), 0, 40);
                recorder.tick(t, 0);
            }
            recorder.close();
            recorder.close();
        }).doesNotThrowAnyException();
        RecordingSummary summary = recorder.summary();
        assertThat(summary.writeErrors()).isEqualTo(1);
        assertThat(summary.bytesWritten()).isZero();
        assertThat(summary.path()).isEqualTo(file);
    }

    @Test
    void aWriterThatFallsTooFarBehindStopsTheRecordingInsteadOfGrowing() throws Exception {
        List<Runnable> neverRun = new ArrayList<>();
        TwoChannelRecorder recorder = recorder(new MemorySink(0), neverRun::add);
        for (int t = 0; t < 50 * (TwoChannelRecorder.MAX_PAGES + 10); t++) {
            recorder.offerCaller(packet(t, 40), 0, 40);
            recorder.tick(t, 0);
        }
        assertThat(neverRun).as("one drain scheduled, never more while it is pending").hasSize(1);
        RecordingSummary summary = recorder.summary();
        assertThat(summary.writeErrors()).isEqualTo(1);
        assertThat(summary.durationMillis()).isLessThanOrEqualTo(TwoChannelRecorder.MAX_PAGES * 1000L);
        CompletableFuture<RecordingSummary> stopped = recorder.stop();
        neverRun.getFirst().run(); // the writer catches up: nothing more is written, the sink is closed
        assertThat(stopped.get(5, TimeUnit.SECONDS).writeErrors()).isEqualTo(1);
    }

    @Test
    void aRecordingStoppedBeforeAnyTickIsOneSilentTickLong() throws Exception {
        ExecutorServiceHolder holder = new ExecutorServiceHolder();
        Path file = dir.resolve("empty.opus");
        TwoChannelRecorder recorder = TwoChannelRecorder.toFile(file, RecorderOptions.labelled("empty"), holder.writer);
        RecordingSummary summary = recorder.stop().get(5, TimeUnit.SECONDS);
        holder.writer.shutdown();
        assertThat(summary.durationMillis()).isEqualTo(20);
        assertThat(summary.caller().emptyFrames()).isEqualTo(1);
        List<OggPages.Page> pages = OggPages.parse(Files.readAllBytes(file)).pages();
        assertThat(pages).extracting(OggPages.Page::flags).containsExactly(2, 0, 4);
        Opusdec.Pcm pcm = Opusdec.decode(file);
        assertThat(pcm.frames()).isEqualTo(960 - OpusHeaders.PRE_SKIP);
        assertThat(dev.wavoice.media.audio.Tones.rmsDbfs(pcm.caller(), 0, pcm.frames())).isLessThan(-80);
    }

    static final class ExecutorServiceHolder {
        final java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
    }
}
