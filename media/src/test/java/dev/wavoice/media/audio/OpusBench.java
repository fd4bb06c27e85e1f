package dev.wavoice.media.audio;

import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Cost per 20 ms frame of Opus encode and decode (both codecs, several complexities) and of the
 * resamplers, bytes allocated per frame, and a listening-quality proxy (segmental SNR of a
 * speech-like signal) per complexity to find where more CPU stops buying quality. A measurement,
 * not a test. Run after {@code mvn -pl media test-compile}:
 * <pre>
 * mvn -q -pl media dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java --enable-native-access=ALL-UNNAMED -cp media/target/test-classes:media/target/classes:$(cat /tmp/cp.txt) \
 *     dev.wavoice.media.audio.OpusBench [seconds-per-measurement] [complexities, e.g. 1,5,10]
 * </pre>
 */
public final class OpusBench {
    private static final int FRAME = 960;
    private static final int BITRATE = 32_000;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private OpusBench() {
    }

    /** One codec at one complexity: microseconds and bytes allocated per frame, and quality. */
    public record CodecRound(String codec, int complexity, double encodeMicros, double decodeMicros,
                             double encodeBytesPerFrame, double decodeBytesPerFrame, double segmentalSnrDb, double bandDistortionDb, double fullBandDistortionDb,
                             double meanPacketBytes) {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int[] complexities = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        short[] speech = SpeechLikeSignal.generate(4.0, 1);
        System.out.printf("%s, %d cores, %d kbit/s, 20 ms frames, speech-like signal%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), BITRATE / 1000);
        List<OpusCodec> codecs = List.of(new ConcentusOpusCodec(), OpusCodecs.openNative(null));
        for (OpusCodec codec : codecs) {
            measure(codec, 5, speech, seconds); // warm-up
            for (int complexity : complexities) {
                CodecRound r = measure(codec, complexity, speech, seconds);
                System.out.printf("%-9s c%-2d encode %6.1f us  decode %5.1f us  alloc enc %6.0f B dec %5.0f B"
                                + "  segSNR %5.2f dB  band distortion to 8k %5.2f dB, to 16k %5.2f dB  %5.1f B/packet%n",
                        r.codec(), r.complexity(), r.encodeMicros(), r.decodeMicros(), r.encodeBytesPerFrame(),
                        r.decodeBytesPerFrame(), r.segmentalSnrDb(), r.bandDistortionDb(), r.fullBandDistortionDb(), r.meanPacketBytes());
            }
        }
        int[][] pairs = {{48_000, 24_000}, {24_000, 48_000}, {48_000, 16_000}, {16_000, 48_000},
                {48_000, 8_000}, {8_000, 48_000}};
        for (int[] pair : pairs) {
            resample(pair[0], pair[1], seconds); // warm-up
            double[] r = resample(pair[0], pair[1], seconds);
            System.out.printf("resample %5d -> %5d: %5.1f us/frame, %.1f B allocated/frame%n",
                    pair[0], pair[1], r[0], r[1]);
        }
    }

    /** Thread CPU time: on a shared machine wall time mostly measures the neighbours. */
    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    static CodecRound measure(OpusCodec codec, int complexity, short[] speech, double seconds) {
        int frames = speech.length / FRAME;
        byte[][] packets = new byte[frames][1500];
        int[] lengths = new int[frames];
        short[] decoded = new short[speech.length];
        long tid = Thread.currentThread().threadId();
        try (OpusEncoder encoder = codec.newEncoder(BITRATE, complexity); OpusDecoder decoder = codec.newDecoder()) {
            encoder.setInbandFec(true, 10);
            long encodeNanos = 0;
            long encodeBytes = 0;
            long decodeNanos = 0;
            long decodeBytes = 0;
            long done = 0;
            long packetBytes = 0;
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            boolean first = true;
            while (first || System.nanoTime() < deadline) {
                long allocated = THREADS.getThreadAllocatedBytes(tid);
                long start = cpu();
                for (int f = 0; f < frames; f++) {
                    lengths[f] = encoder.encode(speech, f * FRAME, FRAME, packets[f], 0, 1500);
                }
                encodeNanos += cpu() - start;
                encodeBytes += THREADS.getThreadAllocatedBytes(tid) - allocated;
                allocated = THREADS.getThreadAllocatedBytes(tid);
                start = cpu();
                for (int f = 0; f < frames; f++) {
                    decoder.decode(packets[f], 0, lengths[f], decoded, f * FRAME, FRAME, false);
                }
                decodeNanos += cpu() - start;
                decodeBytes += THREADS.getThreadAllocatedBytes(tid) - allocated;
                if (first) {
                    for (int length : lengths) {
                        packetBytes += length;
                    }
                }
                done += frames;
                first = false;
            }
            // quality from the first pass only would include start-up; this is the last full pass
            double snr = SpeechLikeSignal.segmentalSnr(speech, decoded, 2000);
            double distortion = SpeechLikeSignal.bandDistortion(speech, decoded, 2000, 8_000);
            double fullBand = SpeechLikeSignal.bandDistortion(speech, decoded, 2000, 16_000);
            return new CodecRound(codec.name(), complexity, encodeNanos / 1e3 / done, decodeNanos / 1e3 / done,
                    (double) encodeBytes / done, (double) decodeBytes / done, snr, distortion, fullBand, (double) packetBytes / frames);
        }
    }

    /** Microseconds and bytes allocated per 20 ms frame. */
    static double[] resample(int inRate, int outRate, double seconds) {
        Resampler resampler = Resampler.create(inRate, outRate);
        int inFrame = inRate / 50;
        short[] in = new short[inFrame * 50];
        new SineGenerator(440, inRate, 0.5).fill(in, 0, in.length);
        short[] out = new short[outRate / 50];
        long tid = Thread.currentThread().threadId();
        long frames = 0;
        long nanos = 0;
        long bytes = 0;
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            long allocated = THREADS.getThreadAllocatedBytes(tid);
            long start = cpu();
            for (int f = 0; f < 50; f++) {
                resampler.process(in, f * inFrame, inFrame, out, 0);
            }
            nanos += cpu() - start;
            bytes += THREADS.getThreadAllocatedBytes(tid) - allocated;
            frames += 50;
        }
        return new double[] {nanos / 1e3 / frames, (double) bytes / frames};
    }
}
