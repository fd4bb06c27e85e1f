package dev.wavoice.media.audio;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;

/**
 * Opus in pure Java (Concentus 1.0.2, a port of libopus 1.1): needs nothing from the platform, so
 * it is the default. Concentus reports bad input by throwing; the packet path here catches that
 * and returns -1 instead, counting the packet.
 */
public final class ConcentusOpusCodec implements OpusCodec {
    @Override
    public String name() {
        return "concentus";
    }

    @Override
    public Encoder newEncoder(int sampleRate, int bitrate, int complexity) {
        OpusCodec.checkSampleRate(sampleRate);
        try {
            var encoder = new io.github.jaredmdobson.concentus.OpusEncoder(
                    sampleRate, 1, OpusApplication.OPUS_APPLICATION_VOIP);
            encoder.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
            var wrapped = new Encoder(encoder);
            wrapped.setBitrate(bitrate);
            wrapped.setComplexity(complexity);
            return wrapped;
        } catch (OpusException e) {
            throw new IllegalStateException("Concentus refused a " + sampleRate + " Hz mono encoder: " + e.getMessage(), e);
        }
    }

    @Override
    public Decoder newDecoder(int sampleRate) {
        OpusCodec.checkSampleRate(sampleRate);
        try {
            return new Decoder(new io.github.jaredmdobson.concentus.OpusDecoder(sampleRate, 1));
        } catch (OpusException e) {
            throw new IllegalStateException("Concentus refused a " + sampleRate + " Hz mono decoder: " + e.getMessage(), e);
        }
    }

    /**
     * Always 48 kHz. Concentus 1.0.2 decodes hybrid packets (SILK + CELT: what libopus sends for
     * super-wideband and fullband speech at 24, 32 and 64 kbit/s, so what browsers and probably WhatsApp
     * send) to near silence at any other rate: measured -55 dBFS at 24 kHz and nothing at 16 and 12 kHz where libopus
     * gives -20 dBFS from the same packets (SILK-only and CELT-only packets are fine). Its encoder has no
     * such fault, so only decoding keeps the resampler. {@code OpusCodecTest} checks both rates.
     */
    @Override
    public int decodeRateFor(int pcmRate) {
        OpusCodec.checkSampleRate(pcmRate);
        return 48_000;
    }

    @Override
    public String toString() {
        return "concentus 1.0.2 (pure Java)";
    }

    /** Not thread-safe: one per call direction. */
    public static final class Encoder implements OpusEncoder {
        private final io.github.jaredmdobson.concentus.OpusEncoder encoder;
        private long errors;

        private Encoder(io.github.jaredmdobson.concentus.OpusEncoder encoder) {
            this.encoder = encoder;
        }

        @Override
        public int encode(short[] pcm, int pcmOff, int frameSize, byte[] out, int outOff, int maxBytes) {
            try {
                return encoder.encode(pcm, pcmOff, frameSize, out, outOff, maxBytes);
            } catch (OpusException | RuntimeException e) {
                errors++;
                return -1;
            }
        }

        @Override
        public void setBitrate(int bitsPerSecond) {
            encoder.setBitrate(bitsPerSecond);
        }

        @Override
        public void setComplexity(int complexity) {
            encoder.setComplexity(Math.clamp(complexity, 0, 10));
        }

        @Override
        public void setInbandFec(boolean enabled, int expectedLossPercent) {
            encoder.setUseInbandFEC(enabled);
            encoder.setPacketLossPercent(Math.clamp(expectedLossPercent, 0, 100));
        }

        @Override
        public void setDtx(boolean enabled) {
            encoder.setUseDTX(enabled);
        }

        @Override
        public void setMaxBandwidth(OpusBandwidth bandwidth) {
            encoder.setMaxBandwidth(switch (bandwidth) {
                case NARROW -> io.github.jaredmdobson.concentus.OpusBandwidth.OPUS_BANDWIDTH_NARROWBAND;
                case MEDIUM -> io.github.jaredmdobson.concentus.OpusBandwidth.OPUS_BANDWIDTH_MEDIUMBAND;
                case WIDE -> io.github.jaredmdobson.concentus.OpusBandwidth.OPUS_BANDWIDTH_WIDEBAND;
                case SUPER_WIDE -> io.github.jaredmdobson.concentus.OpusBandwidth.OPUS_BANDWIDTH_SUPERWIDEBAND;
                case FULL -> io.github.jaredmdobson.concentus.OpusBandwidth.OPUS_BANDWIDTH_FULLBAND;
            });
        }

        /** Frames that could not be encoded (bad frame size, buffer too small). */
        public long errors() {
            return errors;
        }

        @Override
        public void close() {
            // heap only: nothing to release
        }
    }

    /** Not thread-safe: one per call direction. */
    public static final class Decoder implements OpusDecoder {
        private final io.github.jaredmdobson.concentus.OpusDecoder decoder;
        private long corruptPackets;

        private Decoder(io.github.jaredmdobson.concentus.OpusDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec) {
            if (len <= 0) {
                corruptPackets++;
                return -1;
            }
            try {
                return decoder.decode(packet, off, len, pcm, pcmOff, frameSize, fec);
            } catch (OpusException | RuntimeException e) {
                // Concentus signals corrupt input with OpusException, and sometimes with an index
                // error from deep inside the range decoder; both mean "drop this packet".
                corruptPackets++;
                return -1;
            }
        }

        @Override
        public int conceal(short[] pcm, int pcmOff, int frameSize) {
            try {
                return decoder.decode(null, 0, 0, pcm, pcmOff, frameSize, false);
            } catch (OpusException | RuntimeException e) {
                return -1;
            }
        }

        /** Packets rejected as corrupt since creation. */
        public long corruptPackets() {
            return corruptPackets;
        }

        @Override
        public void close() {
            // heap only: nothing to release
        }
    }
}
