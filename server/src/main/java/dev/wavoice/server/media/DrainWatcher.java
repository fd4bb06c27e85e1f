package dev.wavoice.server.media;

import dev.wavoice.media.stream.AudioStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action once a call's outbound audio has been played out (a goodbye, an apology tone), checking the
 * queue every 20 ms on the shared timer thread, and never waiting longer than the queue's capacity.
 */
final class DrainWatcher {
    private static final long POLL_MS = 20;
    /** Longer than the 10 s outbound queue, so a stalled pacer cannot keep a call up forever. */
    private static final long MAX_WAIT_MS = 12_000;

    private final AudioStream stream;
    private final ScheduledExecutorService timers;
    private volatile ScheduledFuture<?> pending;
    private volatile boolean cancelled;

    DrainWatcher(AudioStream stream, ScheduledExecutorService timers) {
        this.stream = stream;
        this.timers = timers;
    }

    /** Runs {@code action} (on the timer thread: keep it short or hand it off) when nothing is left to play. */
    void whenDrained(Runnable action) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
        schedule(POLL_MS, new Runnable() {
            @Override
            public void run() {
                if (cancelled) {
                    return;
                }
                if (stream.queuedFrames() == 0 || System.nanoTime() > deadline) {
                    action.run();
                } else {
                    schedule(POLL_MS, this);
                }
            }
        });
    }

    /** Runs {@code action} after {@code delay} unless cancelled first. */
    void after(Duration delay, Runnable action) {
        schedule(delay.toMillis(), () -> {
            if (!cancelled) {
                action.run();
            }
        });
    }

    private void schedule(long delayMs, Runnable task) {
        if (!cancelled) {
            pending = timers.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    void cancel() {
        cancelled = true;
        ScheduledFuture<?> p = pending;
        if (p != null) {
            p.cancel(false);
        }
    }
}
