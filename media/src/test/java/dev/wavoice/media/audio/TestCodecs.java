package dev.wavoice.media.audio;

import java.util.List;

/** Both codecs for parameterised tests. libopus must be present: CI installs it with Chromium. */
final class TestCodecs {
    private static OpusCodec nativeCodec;

    private TestCodecs() {
    }

    static synchronized OpusCodec libopus() {
        if (nativeCodec == null) {
            try {
                nativeCodec = OpusCodecs.openNative(null);
            } catch (IllegalStateException e) {
                throw new AssertionError("libopus is needed for these tests (Debian: apt-get install libopus0): "
                        + e.getMessage(), e);
            }
        }
        return nativeCodec;
    }

    static OpusCodec concentus() {
        return new ConcentusOpusCodec();
    }

    static List<OpusCodec> both() {
        return List.of(concentus(), libopus());
    }

    /** Encodes {@code pcm} frame by frame (960 samples, 20 ms at 48 kHz) and decodes it again, without loss. */
    static short[] roundTrip(OpusEncoder encoder, OpusDecoder decoder, short[] pcm) {
        return roundTrip(encoder, decoder, pcm, 960);
    }

    /** The same with frames of {@code frame} samples (20 ms at the codec's rate: 480 at 24 kHz). */
    static short[] roundTrip(OpusEncoder encoder, OpusDecoder decoder, short[] pcm, int frame) {
        short[] out = new short[pcm.length];
        byte[] packet = new byte[1500];
        for (int off = 0; off + frame <= pcm.length; off += frame) {
            int bytes = encoder.encode(pcm, off, frame, packet, 0, packet.length);
            if (bytes <= 0) {
                throw new AssertionError("encode returned " + bytes + " at sample " + off);
            }
            int samples = decoder.decode(packet, 0, bytes, out, off, frame, false);
            if (samples != frame) {
                throw new AssertionError("decode returned " + samples + " at sample " + off);
            }
        }
        return out;
    }
}
