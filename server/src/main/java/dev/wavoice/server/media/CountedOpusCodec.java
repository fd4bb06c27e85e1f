package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusBandwidth;
import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * The codec the call paths use, counting the frames it decodes and encodes ({@code wavoice_opus_frames_total}):
 * what a call costs in codec work is visible from outside, and a relayed call must leave both at zero.
 */
final class CountedOpusCodec implements OpusCodec {
    private final OpusCodec codec;
    private final LongAdder decoded = new LongAdder(), encoded = new LongAdder();

    CountedOpusCodec(OpusCodec codec, MeterRegistry metrics) {
        this.codec = codec;
        FunctionCounter.builder("wavoice_opus_frames", decoded, LongAdder::sum).tag("op", "decode")
                .description("Opus frames decoded or concealed on the call paths").register(metrics);
        FunctionCounter.builder("wavoice_opus_frames", encoded, LongAdder::sum).tag("op", "encode")
                .description("Opus frames encoded on the call paths").register(metrics);
    }

    @Override
    public String name() {
        return codec.name();
    }

    @Override
    public int decodeRateFor(int pcmRate) {
        return codec.decodeRateFor(pcmRate);
    }

    @Override
    public OpusEncoder newEncoder(int sampleRate, int bitrate, int complexity) {
        OpusEncoder e = codec.newEncoder(sampleRate, bitrate, complexity);
        return new OpusEncoder() {
            @Override
            public int encode(short[] pcm, int pcmOff, int frameSize, byte[] out, int outOff, int maxBytes) {
                encoded.increment();
                return e.encode(pcm, pcmOff, frameSize, out, outOff, maxBytes);
            }

            @Override
            public void setBitrate(int bitsPerSecond) {
                e.setBitrate(bitsPerSecond);
            }

            @Override
            public void setComplexity(int complexity) {
                e.setComplexity(complexity);
            }

            @Override
            public void setInbandFec(boolean enabled, int expectedLossPercent) {
                e.setInbandFec(enabled, expectedLossPercent);
            }

            @Override
            public void setDtx(boolean enabled) {
                e.setDtx(enabled);
            }

            @Override
            public void setMaxBandwidth(OpusBandwidth bandwidth) {
                e.setMaxBandwidth(bandwidth);
            }

            @Override
            public void close() {
                e.close();
            }
        };
    }

    @Override
    public OpusDecoder newDecoder(int sampleRate) {
        OpusDecoder d = codec.newDecoder(sampleRate);
        return new OpusDecoder() {
            @Override
            public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec) {
                decoded.increment();
                return d.decode(packet, off, len, pcm, pcmOff, frameSize, fec);
            }

            @Override
            public int conceal(short[] pcm, int pcmOff, int frameSize) {
                decoded.increment();
                return d.conceal(pcm, pcmOff, frameSize);
            }

            @Override
            public void close() {
                d.close();
            }
        };
    }
}
