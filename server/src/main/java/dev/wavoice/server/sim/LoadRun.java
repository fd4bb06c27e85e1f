package dev.wavoice.server.sim;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One load step: {@code calls} simulated callers placed at {@code rampPerSecond}, each talking in tone bursts
 * for {@code talk} once connected, then hanging up. When every caller has talked, and before any hangs up, the
 * server's live heap is read once (frame timing is not judged during that forced GC, and its CPU is left out);
 * the server's CPU time is read before and after, and so are its pacer's counters (frames leaving late are
 * counted over the run without that GC's window).
 */
public final class LoadRun {

    /**
     * What to run.
     *
     * @param echoTiming the server echoes the callers' packets: time them against their send time, not the grid
     * @param flood      floods at the server from the first call until every call has hung up
     */
    public record Plan(int calls, Duration talk, double rampPerSecond, double toneHz, Duration connectTimeout,
                       boolean measureHeap, boolean echoTiming, Floods.Plan flood) {
        public Plan withFlood(Floods.Plan f) {
            return new Plan(calls, talk, rampPerSecond, toneHz, connectTimeout, measureHeap, echoTiming, f);
        }
    }

    /** 1.5 s of tone, 2.5 s of pause: room for the local agent's chime and parrot reply in each pause. */
    private static final int TALK_MS = 1_500;
    private static final int PAUSE_MS = 2_500;
    private static final int CYCLE_FRAMES = (TALK_MS + PAUSE_MS) / 20;

    private LoadRun() {}

    private static VoiceSource tone(Plan plan) {
        return VoiceSource.toneBursts(plan.toneHz(), TALK_MS, PAUSE_MS, 0.3);
    }

    public static LoadFigures run(SimulatedWhatsApp whatsapp, ServerUnderTest server, HttpClient http, Plan plan)
            throws InterruptedException {
        whatsapp.echoTiming(plan.echoTiming());
        OptionalLong heapBefore = plan.measureHeap() ? server.liveHeapAfterGc() : OptionalLong.empty();
        String metricsBefore = server.metrics(http);
        ServerSends sendsBefore = ServerSends.of(metricsBefore);
        ServerSends sendsAside = ServerSends.ZERO; // the forced GC's window, not judged
        OptionalLong cpuBefore = server.cpuNanos();
        long self = ProcessHandle.current().pid();
        OptionalLong callerCpuBefore = ServerUnderTest.cpuNanosOf(self);
        long started = System.nanoTime();
        CountDownLatch settled = new CountDownLatch(plan.calls()); // connected or failed
        CountDownLatch talked = new CountDownLatch(plan.calls()); // done talking, or failed
        CountDownLatch heapRead = new CountDownLatch(1);
        AtomicInteger connected = new AtomicInteger();
        List<SimulatedCaller> callers = new ArrayList<>();
        List<Future<CallResult>> results = new ArrayList<>();
        Floods floods = plan.flood().any() ? Floods.start(plan.flood(), whatsapp) : null;
        Floods.Figures flooded = null;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            EncodedVoice voice = whatsapp.encode(tone(plan), CYCLE_FRAMES);
            long gapNanos = plan.rampPerSecond() <= 0 ? 0 : (long) (1e9 / plan.rampPerSecond());
            for (int i = 0; i < plan.calls(); i++) {
                long due = started + i * gapNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                SimulatedCaller caller = whatsapp.caller(tone(plan), voice, false);
                callers.add(caller);
                results.add(threads.submit(() -> oneCall(caller, plan, settled, talked, heapRead, connected)));
            }
            settled.await(plan.connectTimeout().toSeconds() + 30, TimeUnit.SECONDS);
            int upTogether = connected.get();
            Steady steady = steadyWindow(server, plan, upTogether);
            // Read the heap once every caller has talked, before any hangs up: all calls are live, little audio
            // flows, and the forced GC's CPU is left out of the CPU figure.
            talked.await(plan.connectTimeout().toSeconds() + plan.talk().toSeconds() + 30, TimeUnit.SECONDS);
            OptionalLong heapWithCalls = OptionalLong.empty();
            long gcCpu = 0;
            if (plan.measureHeap() && upTogether > 0) {
                whatsapp.pauseTiming();
                ServerSends beforeGc = ServerSends.of(server.metrics(http));
                OptionalLong cpuBeforeGc = server.cpuNanos();
                try {
                    heapWithCalls = server.liveHeapAfterGc();
                    Thread.sleep(300); // the stall's backlog drains before timing counts again
                } finally {
                    whatsapp.resumeTiming();
                }
                sendsAside = ServerSends.of(server.metrics(http)).minus(beforeGc);
                OptionalLong cpuAfterGc = server.cpuNanos();
                if (cpuBeforeGc.isPresent() && cpuAfterGc.isPresent()) {
                    gcCpu = cpuAfterGc.getAsLong() - cpuBeforeGc.getAsLong();
                }
            }
            heapRead.countDown();
            List<CallResult> done = new ArrayList<>();
            for (Future<CallResult> f : results) {
                try {
                    done.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a simulated call crashed", e.getCause());
                }
            }
            if (floods != null) {
                flooded = floods.stop();
                floods = null;
            }
            Thread.sleep(500); // the server finishes tearing the calls down (and draining a flood) inside the CPU window
            OptionalLong cpuAfter = server.cpuNanos();
            OptionalLong callerCpuAfter = ServerUnderTest.cpuNanosOf(self);
            long elapsed = System.nanoTime() - started;
            long[] lateness = new long[ArrivalStats.BUCKETS];
            callers.forEach(c -> c.arrivals().addLatenessTo(lateness));
            String metricsAfter = server.metrics(http);
            ServerSends sends = ServerSends.of(metricsAfter).minus(sendsBefore).minus(sendsAside);
            return LoadFigures.of(plan, done, lateness, elapsed, steady.cpuNanos(), steady.callSeconds(),
                    cpuBefore.isPresent() && cpuAfter.isPresent() ? cpuAfter.getAsLong() - cpuBefore.getAsLong() - gcCpu : -1,
                    heapBefore, heapWithCalls, upTogether, metricsAfter, sends, whatsapp.pacerStats(),
                    callerCpuBefore.isPresent() && callerCpuAfter.isPresent()
                            ? callerCpuAfter.getAsLong() - callerCpuBefore.getAsLong() : -1,
                    AudioGaps.of(callers), flooded, MediaPortDrops.between(metricsBefore, metricsAfter));
        } finally {
            if (floods != null) {
                floods.stop(); // the run failed: the floods must not outlive it
            }
        }
    }

    /** Server CPU over a window in which every call is up and talking, and the call-seconds in it. */
    record Steady(long cpuNanos, double callSeconds) {}

    /**
     * Reads the server's CPU while every call talks: from the moment the last call connected until the first one
     * stops talking (the ramp's length earlier than the talk ends), less a second at each end. Setup, teardown and
     * the JIT's first work on the calls are outside it, so this is the cost of a call-second itself; the run's
     * figure spreads those over the calls' lifetimes.
     */
    private static Steady steadyWindow(ServerUnderTest server, Plan plan, int up) throws InterruptedException {
        double rampSeconds = plan.rampPerSecond() <= 0 ? 0 : plan.calls() / plan.rampPerSecond();
        long windowMillis = (long) ((plan.talk().toSeconds() - rampSeconds - 2) * 1000);
        if (up == 0 || windowMillis < 2000) {
            return new Steady(-1, 0);
        }
        Thread.sleep(1000);
        OptionalLong before = server.cpuNanos();
        long start = System.nanoTime();
        Thread.sleep(windowMillis);
        OptionalLong after = server.cpuNanos();
        double seconds = (System.nanoTime() - start) / 1e9;
        return before.isPresent() && after.isPresent()
                ? new Steady(after.getAsLong() - before.getAsLong(), up * seconds) : new Steady(-1, 0);
    }

    private static CallResult oneCall(SimulatedCaller caller, Plan plan, CountDownLatch settled, CountDownLatch talked,
            CountDownLatch heapRead, AtomicInteger connected) throws InterruptedException {
        boolean up = false;
        try {
            caller.dial();
            up = caller.awaitConnected(plan.connectTimeout());
            if (up) {
                connected.incrementAndGet(); // before settling: the count is read once all have settled
            }
        } catch (java.io.IOException e) {
            caller.failDial(e);
        } finally {
            settled.countDown();
        }
        try {
            if (up) {
                caller.play(plan.talk());
                long end = System.nanoTime() + plan.talk().toNanos();
                while (System.nanoTime() < end && !caller.serverHungUp()) {
                    Thread.sleep(50);
                }
            }
        } finally {
            talked.countDown();
        }
        if (up) {
            // Every call stays up until the heap has been read with all of them live.
            heapRead.await(plan.connectTimeout().toSeconds() + plan.talk().toSeconds() + 60, TimeUnit.SECONDS);
        }
        return caller.hangUp();
    }
}
