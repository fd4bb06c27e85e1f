package dev.wavoice.media.audio;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One libopus decoder state plus its off-heap buffers, allocated once. Corrupt packets return -1
 * and are counted. Not thread-safe.
 */
public final class NativeOpusDecoder implements OpusDecoder {
    private static final int MAX_FRAME = NativeOpusState.MAX_FRAME;
    private static final int MAX_PACKET = NativeOpusState.MAX_PACKET;

    private final NativeOpusCodec lib;
    private final NativeOpusState memory;
    private long corruptPackets;

    NativeOpusDecoder(NativeOpusCodec lib, int sampleRate) {
        this.lib = lib;
        this.memory = new NativeOpusState("opus_decoder",
                error -> (MemorySegment) lib.decoderCreate.invokeExact(sampleRate, 1, error),
                state -> {
                    lib.decoderDestroy.invokeExact(state);
                });
    }

    @Override
    public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec) {
        if (memory.state() == null || len <= 0 || len > MAX_PACKET || frameSize <= 0 || frameSize > MAX_FRAME) {
            corruptPackets++;
            return -1;
        }
        try {
            MemorySegment.copy(packet, off, memory.packet, JAVA_BYTE, 0, len);
        } catch (RuntimeException e) {
            corruptPackets++;
            return -1;
        }
        int samples = call(memory.packet, len, frameSize, fec ? 1 : 0);
        if (samples < 0 || !copyOut(pcm, pcmOff, samples)) {
            corruptPackets++;
            return -1;
        }
        return samples;
    }

    @Override
    public int conceal(short[] pcm, int pcmOff, int frameSize) {
        if (memory.state() == null || frameSize <= 0 || frameSize > MAX_FRAME) {
            return -1;
        }
        // libopus: a NULL packet asks for concealment of frame_size samples
        int samples = call(MemorySegment.NULL, 0, frameSize, 0);
        return samples >= 0 && copyOut(pcm, pcmOff, samples) ? samples : -1;
    }

    /** Packets rejected as corrupt since creation. */
    public long corruptPackets() {
        return corruptPackets;
    }

    private int call(MemorySegment data, int len, int frameSize, int fec) {
        try {
            return (int) lib.decode.invokeExact(memory.state(), data, len, memory.pcm, frameSize, fec);
        } catch (Throwable e) {
            return -1;
        }
    }

    private boolean copyOut(short[] pcm, int pcmOff, int samples) {
        try {
            MemorySegment.copy(memory.pcm, JAVA_SHORT, 0, pcm, pcmOff, samples);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        memory.close();
    }
}
