package dev.wavoice.media.ice;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * The ICE ticker's own CPU with many connected, idle agents (default timing: a consent check every ~5 s each):
 * {@code java -cp … dev.wavoice.media.ice.IceTickerLoad 500 20} (500 pairs = 1,000 agents, 20 s measured). Uses only
 * the public API, so the same class measures an older ticker too.
 */
public final class IceTickerLoad {
    private IceTickerLoad() {
    }

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String name = "ice-ticker-load";
        try (IceTicker ticker = new IceTicker(name, Duration.ofMillis(10));
             TickedAgents net = new TickedAgents(ticker, pairs, IceConfig.defaults())) {
            int agents = net.agents.size();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (net.connected.size() < agents && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(2000); // let nominations and the first retransmission timers run out
            long tid = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name))
                    .findFirst().orElseThrow().threadId();
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getThreadCpuTime(tid), t0 = System.nanoTime();
            long alloc0 = ((com.sun.management.ThreadMXBean) mx).getThreadAllocatedBytes(tid);
            Thread.sleep(seconds * 1000L);
            long cpu = mx.getThreadCpuTime(tid) - cpu0, wall = System.nanoTime() - t0;
            long alloc = ((com.sun.management.ThreadMXBean) mx).getThreadAllocatedBytes(tid) - alloc0;
            System.out.printf("%d agents (%d connected, %d failed), %.1f s: ticker thread CPU %.2f ms per second "
                    + "(%.2f µs per agent-second), allocated %.0f B per second%n", agents, net.connected.size(),
                    net.failed.size(), wall / 1e9, cpu / 1e6 / (wall / 1e9), cpu / 1e3 / (wall / 1e9) / agents,
                    alloc / (wall / 1e9));
        }
    }
}
