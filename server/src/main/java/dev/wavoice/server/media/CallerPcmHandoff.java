package dev.wavoice.server.media;

import dev.wavoice.server.agent.AgentSession;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Carries caller PCM from the shared pacer thread to the agent session without doing the session's work there:
 * turning audio into a WebSocket event (base64 in JSON) costs tens of microseconds a frame, and on the one pacer
 * thread it would delay every other call's frames. The pacer copies the frame into a small ring (no allocation)
 * and a drain task on the given executor appends in order.
 *
 * <p>Single producer (the pacer), single consumer (whichever drain task holds {@code draining}).
 */
final class CallerPcmHandoff {
    /** 320 ms of 20 ms frames: beyond that the agent side is stalled and older caller audio is dropped. */
    private static final int SLOTS = 16;

    private final short[][] ring;
    private final int[] lengths = new int[SLOTS];
    private final long[] delivered = new long[SLOTS];
    private final Executor executor;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final LongAdder dropped = new LongAdder();
    private final Runnable drain = this::drain;
    private volatile long head;
    private volatile long tail;
    private volatile AgentSession session;

    CallerPcmHandoff(int frameSamples, Executor executor) {
        this.ring = new short[SLOTS][frameSamples];
        this.executor = executor;
    }

    void attach(AgentSession s) {
        session = s;
    }

    /** Pacer thread: copies one frame and makes sure a drain runs (or appends at once, for a session that may). */
    void offer(short[] pcm, int off, int len) {
        AgentSession s = session;
        if (s == null) {
            return; // no agent yet: what the caller says while it connects is not kept
        }
        if (s.appendsOnPacer()) {
            s.appendAudio(pcm, off, len, System.nanoTime());
            return;
        }
        long t = tail;
        if (t - head >= SLOTS) {
            dropped.increment();
            return;
        }
        int i = (int) (t % SLOTS);
        int n = Math.min(len, ring[i].length);
        System.arraycopy(pcm, off, ring[i], 0, n);
        lengths[i] = n;
        delivered[i] = System.nanoTime();
        tail = t + 1;
        if (draining.compareAndSet(false, true)) {
            executor.execute(drain);
        }
    }

    private void drain() {
        do {
            AgentSession s = session;
            long h = head;
            while (h < tail) {
                int i = (int) (h % SLOTS);
                if (s != null) {
                    s.appendAudio(ring[i], 0, lengths[i], delivered[i]);
                }
                head = ++h;
            }
            draining.set(false);
            // A frame published between the last check and the release would otherwise wait for the next one.
        } while (head < tail && draining.compareAndSet(false, true));
    }

    long dropped() {
        return dropped.sum();
    }
}
