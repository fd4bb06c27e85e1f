package dev.wavoice.media.playout;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one outbound media clock for every call: a single platform thread ticks at absolute deadlines
 * ({@code start + n * period}, so lateness never accumulates) and calls each registered
 * {@link PacedStream} in registration order. Thousands of calls cost one thread, not thousands of timers.
 *
 * <p>Registration is copy-on-write under a lock that only {@link #register} and {@link Registration#close}
 * take; the tick loop reads one volatile array and takes no lock.
 */
public final class Pacer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Pacer.class);
    private static final Registration[] NONE = new Registration[0];

    private final PacerConfig config;
    private final long periodNanos;
    private final long spinNanos;
    private final Object registrationLock = new Object();
    private final LatenessHistogram lateness;
    /** When each tick's last send finished, against its deadline: the latest a frame of that tick left. */
    private final LatenessHistogram sendLateness;
    private volatile Registration[] streams = NONE;
    private volatile boolean running;
    private volatile long startNanos;
    private volatile long ticks;
    private volatile long skippedTicks;
    private volatile long streamFailures;
    private Thread thread;

    public Pacer(PacerConfig config) {
        this.config = config;
        this.periodNanos = config.period().toNanos();
        this.spinNanos = config.spin().toNanos();
        this.lateness = new LatenessHistogram(config.lateThreshold().toNanos());
        this.sendLateness = new LatenessHistogram(config.lateThreshold().toNanos());
    }

    /** Starts the clock thread; the first tick is one period from now. */
    public synchronized Pacer start() {
        if (thread != null) {
            throw new IllegalStateException("pacer already started");
        }
        running = true;
        startNanos = System.nanoTime() + periodNanos;
        thread = Thread.ofPlatform().name(config.threadName()).daemon().priority(Thread.MAX_PRIORITY)
                .start(this::run);
        return this;
    }

    /** Ticks {@code stream} from the next tick on, until the returned registration is closed. */
    public Registration register(PacedStream stream) {
        Registration registration = new Registration(stream);
        synchronized (registrationLock) {
            Registration[] current = streams;
            Registration[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = registration;
            streams = next;
        }
        return registration;
    }

    /** When tick {@code tickIndex} is due, on the {@link System#nanoTime()} scale. */
    public long deadlineNanos(long tickIndex) {
        return startNanos + tickIndex * periodNanos;
    }

    public long periodNanos() {
        return periodNanos;
    }

    public int size() {
        return streams.length;
    }

    /** Tick lateness, recorded by the clock thread. */
    public LatenessHistogram lateness() {
        return lateness;
    }

    public PacerStats stats() {
        return new PacerStats(ticks, lateness.lateCount(), skippedTicks, streamFailures, streams.length,
                lateness.percentileNanos(0.50), lateness.percentileNanos(0.99), lateness.maxNanos(),
                sendLateness.lateCount(), sendLateness.percentileNanos(0.99), sendLateness.maxNanos());
    }

    private void run() {
        long tick = 0;
        while (running) {
            long deadline = deadlineNanos(tick);
            waitUntil(deadline);
            long now = System.nanoTime();
            long behind = (now - deadline) / periodNanos;
            if (behind > config.maxCatchUpTicks()) {
                // A stall (GC, suspended VM) longer than a receiver can absorb: skip instead of bursting.
                tick += behind;
                skippedTicks = skippedTicks + behind;
                deadline = deadlineNanos(tick);
            }
            lateness.record(now - deadline);
            runTick(tick, now);
            sendLateness.record(System.nanoTime() - deadline);
            tick++;
        }
    }

    private void waitUntil(long deadline) {
        long remaining;
        while (running && (remaining = deadline - System.nanoTime()) > spinNanos) {
            LockSupport.parkNanos(remaining - spinNanos);
        }
        while (running && deadline - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    /** One tick over every active stream; the clock thread calls it, tests may call it directly. */
    void runTick(long tickIndex, long nowNanos) {
        for (Registration registration : streams) {
            if (!registration.active) {
                continue; // closed during this tick, after the array was read
            }
            try {
                registration.stream.tick(tickIndex, nowNanos);
            } catch (RuntimeException e) {
                long failures = streamFailures + 1;
                streamFailures = failures;
                if (Long.bitCount(failures) == 1) { // 1, 2, 4, 8...: visible but no log storm
                    log.warn("paced stream {} failed at tick {} ({} failures)", registration.stream, tickIndex,
                            failures, e);
                }
            }
        }
        ticks = ticks + 1;
    }

    /** Stops the clock; registered streams get no further ticks. */
    @Override
    public void close() {
        running = false;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A stream's place on the clock; close it to stop ticking (at most a tick in progress still runs). */
    public final class Registration implements AutoCloseable {
        private final PacedStream stream;
        private volatile boolean active = true;

        private Registration(PacedStream stream) {
            this.stream = stream;
        }

        @Override
        public void close() {
            synchronized (registrationLock) {
                if (!active) {
                    return;
                }
                active = false;
                Registration[] current = streams;
                Registration[] next = new Registration[current.length - 1];
                int j = 0;
                for (Registration r : current) {
                    if (r != this) {
                        next[j++] = r;
                    }
                }
                streams = next;
            }
        }
    }
}
