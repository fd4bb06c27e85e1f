package dev.wavoice.media.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.audio.ConcentusOpusCodec;
import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Java heap one transcoding call's audio keeps (a 24 kHz agent: codec state, jitter-buffer and outbound slots,
 * frame buffers), measured as the heap retained by {@value #STREAMS} streams after a full GC, divided by their
 * number. Each stream has encoded a second of audio first, so state made on first use is counted. The native
 * codec's own state lives off-heap and is not in this figure.
 */
class AudioStreamHeapTest {
    static final int STREAMS = 40;
    static final long BUDGET = 256 * 1024;

    @Test
    void aTranscodingCallKeepsAtMost256KiBOfHeapWithEitherCodec() throws Exception {
        try (Pacer pacer = new Pacer(PacerConfig.defaults())) {
            long concentus = retainedPerStream(new ConcentusOpusCodec(), pacer);
            long libopus = retainedPerStream(OpusCodecs.select(OpusCodecs.Preference.NATIVE, null).codec(), pacer);
            System.out.printf("heap per 24 kHz call: concentus %d B, libopus %d B (+ off-heap codec state)%n",
                    concentus, libopus);
            assertThat(concentus).isLessThan(BUDGET);
            assertThat(libopus).isLessThan(BUDGET);
        }
    }

    static long retainedPerStream(OpusCodec codec, Pacer pacer) {
        short[] second = new short[24_000];
        new SineGenerator(440, 24_000, 0.4).fill(second, 0, second.length);
        // warm: classes loaded and static tables built before the baseline
        try (AudioStream warm = new AudioStream(AudioStreamConfig.speech(24_000), codec, pacer, new PcmRecorder(1))) {
            warm.send(second, 0, second.length);
        }
        long before = usedAfterGc();
        List<AudioStream> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            AudioStream stream = new AudioStream(AudioStreamConfig.speech(24_000), codec, pacer, new PcmRecorder(1));
            stream.send(second, 0, second.length);
            streams.add(stream);
        }
        long after = usedAfterGc();
        streams.forEach(AudioStream::close);
        return (after - before) / STREAMS;
    }

    private static long usedAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }
}
