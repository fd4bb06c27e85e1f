package dev.wavoice.media.ice;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that drives many agents, so thousands of calls do not need thousands of timers.
 *
 * <p>A hashed timing wheel with one slot per period: each agent sits in the slot of the next time it needs a tick
 * ({@link IceAgent#tickAndSchedule}) and is touched only then. An agent that is connecting is due every period
 * (check pacing, retransmissions); a connected one next at its consent check (every ~5 s, jittered) or when a
 * retransmission or a consent timeout falls due, so a tick of the clock costs nothing for the agents that are not
 * due, instead of a look at every agent every 10 ms. The period should not exceed {@link IceConfig#checkInterval()}.
 *
 * <p>Agents are added, removed and woken from any thread through a set and a queue; the wheel itself is the
 * ticker thread's alone, and walking it allocates nothing.
 */
public final class IceTicker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IceTicker.class);
    /** 1,024 periods (10.24 s at 10 ms): one turn covers a consent interval, so most agents are looked at once. */
    static final int SLOTS = 1024;

    private final Set<IceAgent> agents = ConcurrentHashMap.newKeySet();
    /** New agents and woken ones, for the ticker thread to (re)place in the wheel. */
    private final ConcurrentLinkedQueue<IceAgent> arrivals = new ConcurrentLinkedQueue<>();
    private final IceAgent[] slots = new IceAgent[SLOTS];
    private final long periodNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private long startNanos;
    /** The last wheel tick whose slot was run; ticker thread only. */
    private long lastTick;
    /** How many agent ticks ran, for the tests and the harness: the wheel's whole point is keeping this low. */
    private volatile long agentTicks;

    public IceTicker(String name, Duration period) {
        this.periodNanos = period.toNanos();
        this.thread = Thread.ofPlatform().name(name).daemon().unstarted(this::run);
        thread.start();
    }

    /** Ticks {@code agent} until it is removed or closed; its first tick comes within one period. */
    public void add(IceAgent agent) {
        agent.ticker = this;
        agents.add(agent);
        arrivals.add(agent);
        LockSupport.unpark(thread); // a new agent's first check should not wait for a long sleep
    }

    public void remove(IceAgent agent) {
        agents.remove(agent); // the wheel lets go of it when its slot comes round
    }

    /** Agents being ticked; a closed agent no longer counts (it needs no clock). */
    public int size() {
        agents.removeIf(a -> a.state() == IceState.CLOSED);
        return agents.size();
    }

    /** Agent ticks run so far (each one an agent that was due, or new, or woken). */
    public long agentTicks() {
        return agentTicks;
    }

    /** {@code agent}'s next deadline moved earlier than the one it was placed for; see it again at the next tick. */
    void wake(IceAgent agent) {
        arrivals.add(agent);
    }

    private void run() {
        startNanos = System.nanoTime();
        lastTick = 0;
        while (running) {
            long now = System.nanoTime();
            long current = (now - startNanos) / periodNanos;
            placeArrivals(Math.max(current, lastTick + 1)); // never into a slot this turn has already run
            // Behind schedule (an overloaded machine): run every slot passed since, at most one turn of the wheel.
            long from = Math.max(lastTick + 1, current - SLOTS + 1);
            for (long t = from; t <= current; t++) {
                runSlot(t, now);
            }
            lastTick = Math.max(lastTick, current);
            long sleep = startNanos + (current + 1) * periodNanos - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    private void placeArrivals(long tick) {
        IceAgent a;
        while ((a = arrivals.poll()) != null) {
            unlink(a);
            if (agents.contains(a)) {
                link(a, tick);
            }
        }
    }

    private void runSlot(long tick, long now) {
        int index = (int) (tick & (SLOTS - 1));
        IceAgent a = slots[index];
        while (a != null) {
            IceAgent next = a.wheelNext;
            if (a.wheelTick <= tick) { // otherwise due on a later turn of the wheel
                unlink(a);
                runAgent(a, tick, now);
            }
            a = next;
        }
    }

    private void runAgent(IceAgent agent, long tick, long now) {
        if (!agents.contains(agent)) {
            return;
        }
        long due;
        try {
            agentTicks++;
            due = agent.tickAndSchedule(now);
        } catch (RuntimeException e) {
            // One broken agent (e.g. a sender that throws) must not stop the clock for the others.
            log.warn("ice {} tick failed", agent.id(), e);
            due = now;
        }
        if (due == Long.MAX_VALUE) {
            if (agent.state() == IceState.CLOSED) {
                agents.remove(agent); // a closed agent needs no clock; saves callers a remove()
            }
            return; // failed or closed: it never needs a tick again
        }
        // The first slot that starts at or after the deadline, and never the slot being run.
        long dueTick = Math.ceilDiv(due - startNanos, periodNanos);
        link(agent, Math.max(tick + 1, dueTick));
    }

    private void link(IceAgent a, long tick) {
        int index = (int) (tick & (SLOTS - 1));
        IceAgent head = slots[index];
        a.wheelTick = tick;
        a.wheelPrev = null;
        a.wheelNext = head;
        if (head != null) {
            head.wheelPrev = a;
        }
        slots[index] = a;
        a.inWheel = true;
    }

    private void unlink(IceAgent a) {
        if (!a.inWheel) {
            return;
        }
        if (a.wheelPrev != null) {
            a.wheelPrev.wheelNext = a.wheelNext;
        } else {
            slots[(int) (a.wheelTick & (SLOTS - 1))] = a.wheelNext;
        }
        if (a.wheelNext != null) {
            a.wheelNext.wheelPrev = a.wheelPrev;
        }
        a.wheelPrev = a.wheelNext = null;
        a.inWheel = false;
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
