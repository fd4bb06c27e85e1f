package dev.wavoice.media.audio;

import com.sun.management.ThreadMXBean;
import dev.wavoice.media.playout.JitterBuffer;
import dev.wavoice.media.playout.JitterBufferConfig;
import dev.wavoice.media.playout.Playout;

import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * A transcoding call's per-frame audio work for a 24 kHz agent, in thread CPU time (on a shared machine wall time
 * mostly measures the neighbours), both codecs: the path AudioStream runs now beside the former one (Opus at 48 kHz
 * with a resampler each way) and beside the codec's own cost, interleaved round by round so load hits all alike.
 * Inbound packets are what a peer sends (the speech-like signal encoded at 48 kHz, 32 kbit/s, FEC); outbound is the
 * same signal at 24 kHz. A measurement, not a test. Run after {@code mvn -o -q -pl media test-compile}:
 * <pre>
 * CP=media/target/test-classes:media/target/classes:$HOME/.m2/repository/io/github/jaredmdobson/concentus/1.0.2/concentus-1.0.2.jar
 * java --enable-native-access=ALL-UNNAMED -cp $CP dev.wavoice.media.audio.TranscodeBench [rounds] [complexity]
 *     [max bandwidth of the 24 kHz encoder: SUPER_WIDE (what calls use) | WIDE]
 * </pre>
 */
public final class TranscodeBench {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int FRAMES = 50; // one call-second per round and path
    private static final int SLOT = 160;  // AudioStreamConfig.speech's outbound slot at 32 kbit/s

    private TranscodeBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int complexity = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        OpusBandwidth max = args.length > 2 ? OpusBandwidth.valueOf(args[2]) : OpusBandwidth.SUPER_WIDE;
        System.out.printf("%s, %d cores, 24 kHz agent, 32 kbit/s, complexity %d, max %s, FEC, %d rounds of %d frames%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), complexity, max, rounds, FRAMES);
        for (OpusCodec codec : new OpusCodec[] {new ConcentusOpusCodec(), OpusCodecs.openNative(null)}) {
            new Paths(codec, complexity, max).run(rounds);
        }
    }

    private static final class Paths {
        final OpusCodec codec;
        final short[] speech48 = SpeechLikeSignal.generate(1.0, 1);
        final short[] speech24 = new short[24_000];
        final byte[][] packets = new byte[FRAMES][];
        final int[] lengths = new int[FRAMES];
        final OpusEncoder encoder48;
        final OpusEncoder encoder24;
        final OpusDecoder decoder48;
        final OpusDecoder decoder24;
        final OpusDecoder inboundDecoder;
        final int decodeRate;
        final Resampler inboundDown;
        final Resampler down = Resampler.create(48_000, 24_000);
        final Resampler up = Resampler.create(24_000, 48_000);
        final JitterBuffer jitterNew = new JitterBuffer(JitterBufferConfig.opus());
        final JitterBuffer jitterOld = new JitterBuffer(JitterBufferConfig.opus().withSlotBytes(1275));
        final short[] pcm48 = new short[5760];
        final short[] pcm24 = new short[2880];
        final byte[] scratch = new byte[1500];
        int seqNew, seqOld;
        long tsNew, tsOld, now;

        Paths(OpusCodec codec, int complexity, OpusBandwidth max) {
            this.codec = codec;
            Resampler.create(48_000, 24_000).process(speech48, 0, speech48.length, speech24, 0);
            try (OpusEncoder peer = OpusCodecs.openNative(null).newEncoder(32_000, 5)) {
                peer.setInbandFec(true, 10);
                for (int f = 0; f < FRAMES; f++) {
                    packets[f] = new byte[1275];
                    lengths[f] = peer.encode(speech48, f * 960, 960, packets[f], 0, 1275);
                }
            }
            encoder48 = codec.newEncoder(48_000, 32_000, complexity);
            encoder24 = codec.newEncoder(24_000, 32_000, complexity);
            encoder24.setMaxBandwidth(max);
            encoder48.setInbandFec(true, 10);
            encoder24.setInbandFec(true, 10);
            decoder48 = codec.newDecoder(48_000);
            decoder24 = codec.newDecoder(24_000);
            decodeRate = codec.decodeRateFor(24_000);
            inboundDecoder = codec.newDecoder(decodeRate);
            inboundDown = decodeRate == 24_000 ? null : Resampler.create(decodeRate, 24_000);
        }

        void run(int rounds) {
            String[] names = {"decode, codec only (at the inbound decoder's rate)", "inbound frame, now",
                    "inbound frame, via 48 kHz (before)", "encode 24 kHz, codec only", "outbound frame, now",
                    "outbound frame, via 48 kHz (before)"};
            long[][] cpu = new long[names.length][rounds];
            long[] bytes = new long[names.length];
            for (int warm = 0; warm < 10; warm++) {
                for (int p = 0; p < names.length; p++) {
                    path(p);
                }
            }
            long tid = Thread.currentThread().threadId();
            for (int r = 0; r < rounds; r++) {
                for (int p = 0; p < names.length; p++) {
                    long allocated = THREADS.getThreadAllocatedBytes(tid);
                    long start = THREADS.getCurrentThreadCpuTime();
                    path(p);
                    cpu[p][r] = THREADS.getCurrentThreadCpuTime() - start;
                    bytes[p] += THREADS.getThreadAllocatedBytes(tid) - allocated;
                }
            }
            double[] micros = new double[names.length];
            for (int p = 0; p < names.length; p++) {
                long[] sorted = cpu[p].clone();
                Arrays.sort(sorted);
                micros[p] = sorted[rounds / 2] / 1e3 / FRAMES; // median round
                System.out.printf("%-9s %-52s %7.1f us/frame  %8.0f B/frame%n", codec.name(), names[p], micros[p],
                        (double) bytes[p] / rounds / FRAMES);
            }
            double now = micros[1] + micros[4];
            double before = micros[2] + micros[5];
            double own = micros[0] + micros[3];
            System.out.printf("%-9s transcoding per call-second: now %.2f ms CPU, before %.2f ms (%.2fx), codec's own"
                    + " %.2f ms, now / codec's own %.3f%n", codec.name(), now * FRAMES / 1e3, before * FRAMES / 1e3,
                    before / now, own * FRAMES / 1e3, now / own);
        }

        private void path(int p) {
            for (int f = 0; f < FRAMES; f++) {
                switch (p) {
                    case 0 -> inboundDecoder.decode(packets[f], 0, lengths[f], pcm48, 0, decodeRate / 50, false);
                    case 1 -> inboundNow(f);
                    case 2 -> inboundBefore(f);
                    case 3 -> encoder24.encode(speech24, f * 480, 480, scratch, 0, SLOT);
                    case 4 -> encoder24.encode(speech24, f * 480, 480, scratch, 12, SLOT);
                    case 5 -> {
                        int n = up.process(speech24, f * 480, 480, pcm48, 0);
                        encoder48.encode(pcm48, 0, Math.min(n, 960), scratch, 12, 1275);
                    }
                    default -> throw new IllegalArgumentException();
                }
            }
        }

        private void inboundNow(int f) {
            now += 20_000_000L;
            jitterNew.put(seqNew++ & 0xFFFF, tsNew, packets[f], 0, lengths[f], now);
            tsNew += 960;
            Playout p = jitterNew.poll(now);
            int samples = p.samples() / (48_000 / decodeRate);
            int n = p instanceof Playout.Packet packet
                    ? inboundDecoder.decode(scratch, 0, packet.payload().copyTo(scratch, 0), pcm48, 0, samples, false)
                    : inboundDecoder.conceal(pcm48, 0, samples);
            if (inboundDown != null && n > 0) {
                inboundDown.process(pcm48, 0, n, pcm24, 0);
            }
        }

        private void inboundBefore(int f) {
            jitterOld.put(seqOld++ & 0xFFFF, tsOld, packets[f], 0, lengths[f], now);
            tsOld += 960;
            Playout p = jitterOld.poll(now);
            int n = p instanceof Playout.Packet packet
                    ? decoder48.decode(scratch, 0, packet.payload().copyTo(scratch, 0), pcm48, 0, p.samples(), false)
                    : decoder48.conceal(pcm48, 0, p.samples());
            if (n > 0) {
                down.process(pcm48, 0, n, pcm24, 0);
            }
        }
    }
}
