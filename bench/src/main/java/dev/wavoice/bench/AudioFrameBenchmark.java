package dev.wavoice.bench;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.Resampler;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.playout.JitterBuffer;
import dev.wavoice.media.playout.JitterBufferConfig;
import dev.wavoice.media.playout.Playout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The per-20 ms-frame stages of a call's audio, one benchmark each, for the pure-Java and the native Opus codec
 * side by side: what one call costs per frame, so calls per core follow (20 ms / cost).
 *
 * <p>A 24 kHz agent: {@code inboundFrame} and {@code outboundFrame} are what {@code AudioStream} does now (Opus at
 * 24 kHz; Concentus still decodes at 48 kHz and resamples, see {@code ConcentusOpusCodec.decodeRateFor}), beside
 * {@code inboundFrameVia48k} and {@code outboundFrameVia48k}, the former path (Opus at 48 kHz and a resampler each
 * way), and the codec's own cost at 24 kHz ({@code opusDecode24}, {@code opusEncode24}), so the ratios come from one
 * run. Inbound packets are what a peer sends: encoded at 48 kHz.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AudioFrameBenchmark {
    static final int FRAME = 960;

    @Param({"java", "native"})
    public String codec;

    @Param({"5"})
    public int complexity;

    OpusEncoder encoder;
    OpusDecoder decoder;
    OpusEncoder encoder24;
    OpusDecoder decoder24;
    /** The decoder AudioStream uses for a 24 kHz application, at {@link #decodeRate}. */
    OpusDecoder inboundDecoder;
    int decodeRate;
    Resampler inboundDown;
    short[] inboundPcm = new short[FRAME];
    JitterBuffer jitter24;
    Resampler down;
    Resampler up;
    JitterBuffer jitter;
    short[] pcm48 = new short[FRAME];
    short[] pcm24 = new short[FRAME / 2];
    short[] out48 = new short[FRAME * 2];
    short[] out24 = new short[FRAME];
    byte[][] packets = new byte[50][];
    int[] lengths = new int[50];
    byte[] scratch = new byte[1500];
    int next;
    int seq;
    long timestamp;
    long now;

    @Setup
    public void open() {
        OpusCodec c = OpusCodecs.select(OpusCodecs.Preference.parse(codec), null).codec();
        encoder = c.newEncoder(32_000, complexity);
        encoder.setInbandFec(true, 10);
        decoder = c.newDecoder();
        encoder24 = c.newEncoder(24_000, 32_000, complexity);
        encoder24.setInbandFec(true, 10);
        decoder24 = c.newDecoder(24_000);
        decodeRate = c.decodeRateFor(24_000);
        inboundDecoder = c.newDecoder(decodeRate);
        inboundDown = decodeRate == 24_000 ? null : Resampler.create(decodeRate, 24_000);
        down = Resampler.create(48000, 24000);
        up = Resampler.create(24000, 48000);
        jitter = new JitterBuffer(JitterBufferConfig.opus());
        jitter24 = new JitterBuffer(JitterBufferConfig.opus());
        // A second of a speech-band tone, encoded once: decode benchmarks cycle through real packets.
        SineGenerator sine = new SineGenerator(440, 48000, 0.4);
        for (int i = 0; i < packets.length; i++) {
            sine.fill(pcm48, 0, FRAME);
            byte[] out = new byte[1275];
            lengths[i] = encoder.encode(pcm48, 0, FRAME, out, 0, out.length);
            packets[i] = out;
        }
        new SineGenerator(440, 24000, 0.4).fill(pcm24, 0, pcm24.length);
    }

    @TearDown
    public void close() {
        encoder.close();
        decoder.close();
        encoder24.close();
        decoder24.close();
        inboundDecoder.close();
    }

    @Benchmark
    public int opusEncode() {
        return encoder.encode(pcm48, 0, FRAME, scratch, 0, 1275);
    }

    @Benchmark
    public int opusDecode() {
        int i = next++ % packets.length;
        return decoder.decode(packets[i], 0, lengths[i], out48, 0, FRAME, false);
    }

    /** The codec's own cost for a 24 kHz agent: encode 20 ms of 24 kHz PCM. */
    @Benchmark
    public int opusEncode24() {
        return encoder24.encode(pcm24, 0, FRAME / 2, scratch, 0, 160);
    }

    /** The codec's own cost for a 24 kHz agent: decode a peer's packet straight to 24 kHz PCM. */
    @Benchmark
    public int opusDecode24() {
        int i = next++ % packets.length;
        return decoder24.decode(packets[i], 0, lengths[i], out24, 0, FRAME / 2, false);
    }

    @Benchmark
    public int resample48to24() {
        return down.process(pcm48, 0, FRAME, out24, 0);
    }

    @Benchmark
    public int resample24to48() {
        return up.process(pcm24, 0, FRAME / 2, out48, 0);
    }

    /** One packet in and one frame out of the jitter buffer, in steady state (no loss). */
    @Benchmark
    public int jitterPutPoll() {
        int i = next++ % packets.length;
        now += 20_000_000L;
        jitter.put(seq++ & 0xFFFF, timestamp, packets[i], 0, lengths[i], now);
        timestamp += FRAME;
        return jitter.poll(now).samples();
    }

    /**
     * Everything after SRTP for one inbound frame, as AudioStream does it for a 24 kHz agent: jitter buffer, decode
     * at the codec's rate for 24 kHz (libopus: 24 kHz; Concentus: 48 kHz, then 48 → 24 kHz).
     */
    @Benchmark
    public int inboundFrame() {
        int i = next++ % packets.length;
        now += 20_000_000L;
        jitter24.put(seq++ & 0xFFFF, timestamp, packets[i], 0, lengths[i], now);
        timestamp += FRAME;
        Playout p = jitter24.poll(now);
        int samples = decodeRate / 50;
        int n = p instanceof Playout.Packet packet
                ? inboundDecoder.decode(scratch, 0, packet.payload().copyTo(scratch, 0), inboundPcm, 0, samples, false)
                : inboundDecoder.conceal(inboundPcm, 0, samples);
        return inboundDown == null ? n : inboundDown.process(inboundPcm, 0, n, out24, 0);
    }

    /** The former inbound path: jitter buffer, decode at 48 kHz, 48 → 24 kHz. */
    @Benchmark
    public int inboundFrameVia48k() {
        int i = next++ % packets.length;
        now += 20_000_000L;
        jitter.put(seq++ & 0xFFFF, timestamp, packets[i], 0, lengths[i], now);
        timestamp += FRAME;
        Playout p = jitter.poll(now);
        int n = p instanceof Playout.Packet packet
                ? decoder.decode(scratch, 0, packet.payload().copyTo(scratch, 0), out48, 0, FRAME, false)
                : decoder.conceal(out48, 0, FRAME);
        return down.process(out48, 0, n, out24, 0);
    }

    /** Everything before SRTP for one outbound frame, as AudioStream does it: encode 24 kHz PCM, capped at a slot. */
    @Benchmark
    public int outboundFrame() {
        return encoder24.encode(pcm24, 0, FRAME / 2, scratch, 12, 160);
    }

    /** The former outbound path: 24 → 48 kHz, encode at 48 kHz. */
    @Benchmark
    public int outboundFrameVia48k() {
        int n = up.process(pcm24, 0, FRAME / 2, out48, 0);
        return encoder.encode(out48, 0, Math.min(n, FRAME), scratch, 12, 1275);
    }
}
