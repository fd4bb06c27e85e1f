package dev.wavoice.server.agent;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Caller audio on its way to a {@link RealtimeSession}'s socket: any frame size in, 20–40 ms
 * {@code input_audio_buffer.append} events out (small, so the server's VAD reacts quickly), sent on whichever socket
 * is in service. Audio that no socket can take is dropped and counted, never queued: old caller audio is worthless.
 */
final class CallerAudioBatcher {
    /** 20 ms and 40 ms at 24 kHz. */
    static final int MIN_BATCH = 480, MAX_BATCH = 960;

    private final RealtimeClientEvents out;
    private final Supplier<RealtimeSocket> current;
    private final BooleanSupplier closed;
    private final short[] batch = new short[MAX_BATCH];
    private int batched;
    final LongAdder dropped = new LongAdder(), droppedWhileReconnecting = new LongAdder();

    /**
     * @param current the socket in service, null while reconnecting and after close
     * @param closed  whether the session has ended (audio dropped then is not a reconnect's loss)
     */
    CallerAudioBatcher(RealtimeClientEvents out, Supplier<RealtimeSocket> current, BooleanSupplier closed) {
        this.out = out;
        this.current = current;
        this.closed = closed;
    }

    synchronized void append(short[] pcm24k, int off, int len) {
        while (len > 0) {
            int n = Math.min(len, MAX_BATCH - batched);
            System.arraycopy(pcm24k, off, batch, batched, n);
            batched += n;
            off += n;
            len -= n;
            if (batched == MAX_BATCH) {
                flush();
            }
        }
        if (batched >= MIN_BATCH) {
            flush();
        }
    }

    private void flush() {
        RealtimeSocket s = current.get();
        if (s == null) {
            dropped.increment();
            if (!closed.getAsBoolean()) {
                droppedWhileReconnecting.increment();
            }
        } else if (!s.hasRoomForAppend()) {
            dropped.increment(); // skip encoding what a stalled socket would refuse
        } else {
            String append = out.append(batch, 0, batched);
            if (!s.send(append, true)) {
                // Swapped out between the read and the send (a rollover): the new socket takes it.
                RealtimeSocket now = current.get();
                if (now == null || now == s || !now.send(append, true)) {
                    dropped.increment();
                }
            }
        }
        batched = 0;
    }
}
