package dev.wavoice.bench;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.record.PageSink;
import dev.wavoice.media.record.RecorderOptions;
import dev.wavoice.media.record.TwoChannelRecorder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording adds to a call per 20 ms: one caller packet offered (receive thread), one agent packet offered
 * (relay thread), one tick (pacer thread) that self-delimits the caller's packet and appends the multistream packet
 * to the page, a page handed to the writer about once a second. One op is one 20 ms tick of one call.
 *
 * <p>Pages are written on the benchmark thread (a direct executor): a writer thread could not keep up with ticks
 * run back to back, millions a second, and the recorder would rightly stop after 32 pages behind. {@code
 * sink=file}: a {@link java.nio.channels.FileChannel} on {@code /dev/null}, so the figure includes the write
 * system call amortised over a page's 50 ticks (a real file would fill the disk at this rate, and the kernel's copy
 * into the page cache is not what this measures); {@code sink=discard}: the recorder alone, page CRC included.
 * In the server the write runs on the writer thread, not the pacer's. Packets are real Opus from Concentus at
 * 32 kbit/s (a 440 Hz caller, a 1000 Hz agent), a second of each, cycled.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RecordingBenchmark {
    static final int FRAME = 960;
    static final int PACKETS = 50;

    @Param({"file", "discard"})
    public String sink;

    TwoChannelRecorder recorder;
    byte[][] caller = new byte[PACKETS][];
    byte[][] agent = new byte[PACKETS][];
    int[] callerLength = new int[PACKETS];
    int[] agentLength = new int[PACKETS];
    int next;
    long tick;

    @Setup(Level.Trial)
    public void open() {
        OpusCodec codec = OpusCodecs.select(OpusCodecs.Preference.JAVA, null).codec();
        encode(codec, 440, caller, callerLength);
        encode(codec, 1000, agent, agentLength);
        RecorderOptions options = RecorderOptions.labelled("bench");
        recorder = sink.equals("file")
                ? TwoChannelRecorder.toFile(Path.of("/dev/null"), options, Runnable::run)
                : TwoChannelRecorder.toSink(null, new PageSink() {
                    @Override
                    public void write(ByteBuffer page) {
                        page.position(page.limit());
                    }

                    @Override
                    public void close() {
                    }
                }, options, Runnable::run);
    }

    private static void encode(OpusCodec codec, double hz, byte[][] packets, int[] lengths) {
        try (OpusEncoder encoder = codec.newEncoder(OpusCodecs.RECOMMENDED_BITRATE, OpusCodecs.RECOMMENDED_COMPLEXITY)) {
            SineGenerator tone = new SineGenerator(hz, 48_000, 0.3);
            short[] pcm = new short[FRAME];
            for (int i = 0; i < packets.length; i++) {
                tone.fill(pcm, 0, FRAME);
                packets[i] = new byte[1275];
                lengths[i] = encoder.encode(pcm, 0, FRAME, packets[i], 0, 1275);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        var summary = recorder.stop().get(10, TimeUnit.SECONDS);
        if (summary.writeErrors() > 0 || summary.caller().invalidFrames() > 0) {
            throw new IllegalStateException("the recording did not run clean: " + summary);
        }
        if (summary.caller().droppedFrames() > 0 || summary.agent().emptyFrames() > 0) {
            throw new IllegalStateException("a tick did not take exactly one packet per side: " + summary);
        }
    }

    /** Two offers and a tick: what one call's recording costs per 20 ms. */
    @Benchmark
    public long offerOfferTick() {
        int i = next;
        next = i + 1 == PACKETS ? 0 : i + 1;
        recorder.offerCaller(caller[i], 0, callerLength[i]);
        recorder.offerAgent(agent[i], 0, agentLength[i]);
        recorder.tick(tick++, 0);
        return tick;
    }
}
