package dev.wavoice.media.ice;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that ticks many agents, so thousands of calls do not need thousands of timers.
 * The period should not exceed {@link IceConfig#checkInterval()}; 10 ms costs little because an idle
 * agent's tick is a few comparisons.
 */
public final class IceTicker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IceTicker.class);

    private final Set<IceAgent> agents = ConcurrentHashMap.newKeySet();
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running = true;

    public IceTicker(String name, Duration period) {
        this.periodNanos = period.toNanos();
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /** Ticks {@code agent} until it is removed or closed. */
    public void add(IceAgent agent) {
        agents.add(agent);
    }

    public void remove(IceAgent agent) {
        agents.remove(agent);
    }

    public int size() {
        return agents.size();
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            for (IceAgent agent : agents) {
                try {
                    if (agent.state() == IceState.CLOSED) {
                        agents.remove(agent); // a closed agent needs no clock; saves callers a remove()
                        continue;
                    }
                    agent.tick(now);
                } catch (RuntimeException e) {
                    // One broken agent (e.g. a sender that throws) must not stop the clock for the others.
                    log.warn("ice {} tick failed", agent.id(), e);
                }
            }
            next += periodNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            } else {
                next = System.nanoTime(); // overloaded: do not try to catch up with a burst
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
