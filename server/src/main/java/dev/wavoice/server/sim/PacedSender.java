package dev.wavoice.server.sim;

import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed rate on one platform thread of its own: every millisecond it sends what the clock says is due
 * since the start (absolute deadlines, so a late wake-up sends the backlog rather than slowing the rate). More than
 * a second behind, the backlog is dropped and counted as missed, so a starved sender cannot burst afterwards.
 */
final class PacedSender implements AutoCloseable {
    /** One send; {@code index} counts from 0. */
    @FunctionalInterface
    interface Send {
        void send(long index);
    }

    private final double perSecond;
    private final Send send;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long sent;
    private volatile long missed;
    private volatile long startedNanos;
    private volatile long stoppedNanos;

    PacedSender(String name, double perSecond, Send send) {
        if (perSecond <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + perSecond);
        }
        this.perSecond = perSecond;
        this.send = send;
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
    }

    PacedSender start() {
        thread.start();
        return this;
    }

    private void run() {
        long start = System.nanoTime();
        startedNanos = start;
        long done = 0;
        long skipped = 0;
        while (!stopped) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * perSecond);
            if (due - done - skipped > perSecond) {
                skipped = due - done;
                missed = skipped;
            }
            while (done + skipped < due && !stopped) {
                send.send(done);
                done++;
                sent = done;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        stoppedNanos = System.nanoTime();
    }

    long sent() {
        return sent;
    }

    /** Sends the rate asked for but not made, the sender being over a second behind. */
    long missed() {
        return missed;
    }

    /** Seconds from start to stop. */
    double seconds() {
        long end = stoppedNanos == 0 ? System.nanoTime() : stoppedNanos;
        return startedNanos == 0 ? 0 : (end - startedNanos) / 1e9;
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
