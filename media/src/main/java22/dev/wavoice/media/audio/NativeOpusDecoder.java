package dev.wavoice.media.audio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One libopus decoder state plus its off-heap buffers, allocated once. Corrupt packets return -1
 * and are counted. Not thread-safe.
 */
public final class NativeOpusDecoder implements OpusDecoder {
    private static final int MAX_FRAME = 5760;
    private static final int MAX_PACKET = 4000;

    private final NativeOpusCodec lib;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pcmBuf;
    private final MemorySegment packetBuf;
    private MemorySegment state;
    private long corruptPackets;

    NativeOpusDecoder(NativeOpusCodec lib, int sampleRate) {
        this.lib = lib;
        pcmBuf = arena.allocate(JAVA_SHORT, MAX_FRAME);
        packetBuf = arena.allocate(MAX_PACKET);
        MemorySegment error = arena.allocate(JAVA_INT);
        try {
            state = (MemorySegment) lib.decoderCreate.invokeExact(sampleRate, 1, error);
        } catch (Throwable e) {
            arena.close();
            throw new IllegalStateException("opus_decoder_create failed", e);
        }
        if (error.get(JAVA_INT, 0) != NativeOpusCodec.OPUS_OK || state.equals(MemorySegment.NULL)) {
            arena.close();
            throw new IllegalStateException("opus_decoder_create returned error " + error.get(JAVA_INT, 0));
        }
    }

    @Override
    public int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec) {
        if (state == null || len <= 0 || len > MAX_PACKET || frameSize <= 0 || frameSize > MAX_FRAME) {
            corruptPackets++;
            return -1;
        }
        try {
            MemorySegment.copy(packet, off, packetBuf, JAVA_BYTE, 0, len);
        } catch (RuntimeException e) {
            corruptPackets++;
            return -1;
        }
        int samples = call(packetBuf, len, frameSize, fec ? 1 : 0);
        if (samples < 0 || !copyOut(pcm, pcmOff, samples)) {
            corruptPackets++;
            return -1;
        }
        return samples;
    }

    @Override
    public int conceal(short[] pcm, int pcmOff, int frameSize) {
        if (state == null || frameSize <= 0 || frameSize > MAX_FRAME) {
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
            return (int) lib.decode.invokeExact(state, data, len, pcmBuf, frameSize, fec);
        } catch (Throwable e) {
            return -1;
        }
    }

    private boolean copyOut(short[] pcm, int pcmOff, int samples) {
        try {
            MemorySegment.copy(pcmBuf, JAVA_SHORT, 0, pcm, pcmOff, samples);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (state == null) {
            return;
        }
        try {
            lib.decoderDestroy.invokeExact(state);
        } catch (Throwable e) {
            throw new IllegalStateException("opus_decoder_destroy failed", e);
        } finally {
            state = null;
            arena.close();
        }
    }
}
