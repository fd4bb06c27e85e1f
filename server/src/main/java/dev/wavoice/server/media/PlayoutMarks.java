package dev.wavoice.server.media;

import dev.wavoice.media.stream.AudioStream;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Media Streams bot's marks: each is answered once the audio queued before it has left the call's outbound queue,
 * which is when the caller has heard it. A clear answers every pending mark at once, as Twilio does. Checked every
 * 10 ms on the shared timer thread, and only while a mark waits.
 */
final class PlayoutMarks {
    private static final long POLL_MS = 10;

    private record Pending(String name, long position) {
    }

    private final AudioStream stream;
    private final ScheduledExecutorService timers;
    private final Consumer<String> played;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ScheduledFuture<?> check;
    private boolean cancelled;

    PlayoutMarks(AudioStream stream, ScheduledExecutorService timers, Consumer<String> played) {
        this.stream = stream;
        this.timers = timers;
        this.played = played;
    }

    /** The bot's mark {@code name}, after the audio it sent so far. */
    void mark(String name) {
        long position = stream.markPosition();
        synchronized (this) {
            if (cancelled) {
                return;
            }
            pending.add(new Pending(name, position));
            if (check == null) {
                try {
                    check = timers.scheduleWithFixedDelay(this::answerPlayed, 0, POLL_MS, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    cancelled = true; // the server is stopping, and the call with it
                }
            }
        }
    }

    /** The bot cleared its audio: every pending mark is answered now, in order. */
    void clear() {
        answer(Long.MAX_VALUE);
    }

    private void answerPlayed() {
        answer(stream.leftPosition());
    }

    private void answer(long left) {
        while (true) {
            String name;
            synchronized (this) {
                Pending next = pending.peek();
                if (next == null || next.position() > left) {
                    if (next == null && check != null) {
                        check.cancel(false);
                        check = null;
                    }
                    return;
                }
                pending.poll();
                name = next.name();
            }
            played.accept(name);
        }
    }

    /** The call is over: no mark is answered any more. */
    synchronized void cancel() {
        cancelled = true;
        pending.clear();
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
