package dev.wavoice.media.audio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What a native encoder and a native decoder both hold: the libopus state an {@code opus_*_create} call made (its
 * error code checked), and the off-heap PCM and packet buffers the downcalls read and write, allocated once and
 * freed with the state by {@link #close}.
 */
final class NativeOpusState {
    /** 120 ms at 48 kHz, the longest Opus frame. */
    static final int MAX_FRAME = 5760;
    /** Well above the 1275-byte single-frame maximum, for callers that pass a generous size. */
    static final int MAX_PACKET = 4000;

    @FunctionalInterface
    interface Create {
        MemorySegment create(MemorySegment error) throws Throwable;
    }

    @FunctionalInterface
    interface Destroy {
        void destroy(MemorySegment state) throws Throwable;
    }

    private final Arena arena = Arena.ofShared();
    private final String name;
    private final Destroy destroy;
    final MemorySegment pcm;
    final MemorySegment packet;
    private MemorySegment state;

    /** @param name "opus_encoder" or "opus_decoder", for the error messages */
    NativeOpusState(String name, Create create, Destroy destroy) {
        this.name = name;
        this.destroy = destroy;
        this.pcm = arena.allocate(JAVA_SHORT, MAX_FRAME);
        this.packet = arena.allocate(MAX_PACKET);
        MemorySegment error = arena.allocate(JAVA_INT);
        MemorySegment created;
        try {
            created = create.create(error);
        } catch (Throwable e) {
            arena.close();
            throw new IllegalStateException(name + "_create failed", e);
        }
        if (error.get(JAVA_INT, 0) != NativeOpusCodec.OPUS_OK || created.equals(MemorySegment.NULL)) {
            arena.close();
            throw new IllegalStateException(name + "_create returned error " + error.get(JAVA_INT, 0));
        }
        this.state = created;
    }

    /** The libopus state, or null once closed. */
    MemorySegment state() {
        return state;
    }

    void close() {
        if (state == null) {
            return;
        }
        try {
            destroy.destroy(state);
        } catch (Throwable e) {
            throw new IllegalStateException(name + "_destroy failed", e);
        } finally {
            state = null;
            arena.close();
        }
    }
}
