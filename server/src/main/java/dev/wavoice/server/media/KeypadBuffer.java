package dev.wavoice.server.media;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Collects the caller's keypad digits (DTMF) into one entry: a caller typing an order number presses several keys,
 * and the agent should answer the number once, not each digit. The digits go out after a short pause, or at once on
 * {@code #} (the usual "done" key).
 */
final class KeypadBuffer {
    static final Duration PAUSE = Duration.ofMillis(1_200);
    private static final int MAX_DIGITS = 32;

    private final ScheduledExecutorService timers;
    private final Consumer<String> sink;
    private final StringBuilder digits = new StringBuilder();
    private ScheduledFuture<?> flush;

    KeypadBuffer(ScheduledExecutorService timers, Consumer<String> sink) {
        this.timers = timers;
        this.sink = sink;
    }

    synchronized void digit(char d) {
        if (digits.length() < MAX_DIGITS) {
            digits.append(d);
        }
        if (flush != null) {
            flush.cancel(false);
        }
        if (d == '#') {
            flushNow();
        } else {
            flush = timers.schedule(this::flushNow, PAUSE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    synchronized void flushNow() {
        if (!digits.isEmpty()) {
            String keys = digits.toString();
            digits.setLength(0);
            sink.accept(keys);
        }
    }

    synchronized void cancel() {
        digits.setLength(0);
        if (flush != null) {
            flush.cancel(false);
        }
    }
}
