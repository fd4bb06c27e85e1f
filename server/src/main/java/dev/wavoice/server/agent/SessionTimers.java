package dev.wavoice.server.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's timers on the connector's one shared timer thread: the open timeout, the outage bound, backoffs and
 * the rollover age checks of the socket in service. Once the connector has stopped the thread, scheduling returns
 * null instead of throwing, so a session ending with its connector simply stops.
 */
final class SessionTimers {
    private final ScheduledExecutorService timers;
    /** The age checks of the socket in service; replaced with each socket, under the session's lock. */
    private final List<ScheduledFuture<?>> ageChecks = new ArrayList<>();

    SessionTimers(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /** The task on the shared timer thread, or null when the connector has stopped it. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timers.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Checks the socket's age at each of {@code ages} (caller holds the session's lock). */
    void scheduleAgeChecks(Runnable check, Duration... ages) {
        cancelAgeChecks();
        for (Duration age : ages) {
            ScheduledFuture<?> f = schedule(check, age);
            if (f != null) {
                ageChecks.add(f);
            }
        }
    }

    void cancelAgeChecks() {
        ageChecks.forEach(f -> f.cancel(false));
        ageChecks.clear();
    }

    static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }
}
