package dev.wavoice.media.audio;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One libopus encoder state plus the off-heap buffers it reads and writes, allocated once: a frame
 * costs two copies (PCM in, packet out) and one downcall, no allocation. Not thread-safe.
 */
public final class NativeOpusEncoder implements OpusEncoder {
    private static final int MAX_FRAME = NativeOpusState.MAX_FRAME;
    private static final int MAX_PACKET = NativeOpusState.MAX_PACKET;

    private final NativeOpusCodec lib;
    private final NativeOpusState memory;
    private long errors;

    NativeOpusEncoder(NativeOpusCodec lib, int sampleRate) {
        this.lib = lib;
        this.memory = new NativeOpusState("opus_encoder",
                error -> (MemorySegment) lib.encoderCreate.invokeExact(sampleRate, 1,
                        NativeOpusCodec.OPUS_APPLICATION_VOIP, error),
                state -> {
                    lib.encoderDestroy.invokeExact(state);
                });
        ctl(NativeOpusCodec.OPUS_SET_SIGNAL, NativeOpusCodec.OPUS_SIGNAL_VOICE);
    }

    @Override
    public int encode(short[] pcm, int pcmOff, int frameSize, byte[] out, int outOff, int maxBytes) {
        MemorySegment state = memory.state();
        if (state == null || frameSize <= 0 || frameSize > MAX_FRAME || maxBytes <= 0) {
            errors++;
            return -1;
        }
        int room = Math.min(maxBytes, MAX_PACKET);
        int written;
        try {
            MemorySegment.copy(pcm, pcmOff, memory.pcm, JAVA_SHORT, 0, frameSize);
            written = (int) lib.encode.invokeExact(state, memory.pcm, frameSize, memory.packet, room);
        } catch (Throwable e) {
            // bounds errors on the caller's arrays land here too: the packet path never throws
            errors++;
            return -1;
        }
        if (written < 0) {
            errors++;
            return -1;
        }
        MemorySegment.copy(memory.packet, JAVA_BYTE, 0, out, outOff, written);
        return written;
    }

    @Override
    public void setBitrate(int bitsPerSecond) {
        ctl(NativeOpusCodec.OPUS_SET_BITRATE, bitsPerSecond);
    }

    @Override
    public void setComplexity(int complexity) {
        ctl(NativeOpusCodec.OPUS_SET_COMPLEXITY, Math.clamp(complexity, 0, 10));
    }

    @Override
    public void setInbandFec(boolean enabled, int expectedLossPercent) {
        ctl(NativeOpusCodec.OPUS_SET_INBAND_FEC, enabled ? 1 : 0);
        ctl(NativeOpusCodec.OPUS_SET_PACKET_LOSS_PERC, Math.clamp(expectedLossPercent, 0, 100));
    }

    @Override
    public void setDtx(boolean enabled) {
        ctl(NativeOpusCodec.OPUS_SET_DTX, enabled ? 1 : 0);
    }

    @Override
    public void setMaxBandwidth(OpusBandwidth bandwidth) {
        ctl(NativeOpusCodec.OPUS_SET_MAX_BANDWIDTH, bandwidth.opusConstant());
    }

    /** Frames that could not be encoded. */
    public long errors() {
        return errors;
    }

    private void ctl(int request, int value) {
        MemorySegment state = memory.state();
        if (state == null) {
            return;
        }
        int rc;
        try {
            rc = (int) lib.encoderCtl.invokeExact(state, request, value);
        } catch (Throwable e) {
            throw new IllegalStateException("opus_encoder_ctl(" + request + ") failed", e);
        }
        if (rc != NativeOpusCodec.OPUS_OK) {
            throw new IllegalArgumentException("opus_encoder_ctl(" + request + ", " + value + ") returned " + rc);
        }
    }

    @Override
    public void close() {
        memory.close();
    }
}
