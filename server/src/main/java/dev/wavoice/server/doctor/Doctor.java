package dev.wavoice.server.doctor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every check at once, each on a virtual thread of its own and each with its own deadline, so one service that
 * hangs (a Graph that accepts and never answers) costs its own check and nothing else: the whole run ends within the
 * timeout, plus a little, whatever the services do.
 */
public final class Doctor {
    /** Each check's bound; the whole run stays under the 3 s the issue asks for. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(2500);

    private final List<DoctorCheck> checks;
    private final Duration timeout;

    public Doctor(List<DoctorCheck> checks, Duration timeout) {
        this.checks = List.copyOf(checks);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Every check's outcome, in the order the checks were given. */
    public DoctorReport run() {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        List<CompletableFuture<Check>> running = new ArrayList<>();
        // Not closed with try-with-resources: close() waits for every task, and a hung one must be left behind.
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        for (DoctorCheck check : checks) {
            running.add(CompletableFuture.supplyAsync(() -> runOne(check), threads));
        }
        List<Check> results = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            results.add(await(checks.get(i), running.get(i), deadline));
        }
        threads.shutdownNow(); // interrupts what still runs: a blocked socket read of a hung check
        return new DoctorReport(results, Duration.ofNanos(System.nanoTime() - started));
    }

    private static Check runOne(DoctorCheck check) {
        try {
            Check result = check.run();
            return result != null ? result : Check.fail(check.name(), "the check returned nothing", "");
        } catch (Exception e) {
            return Check.fail(check.name(), "the check failed: " + e.getMessage(), "");
        }
    }

    private Check await(DoctorCheck check, CompletableFuture<Check> result, long deadline) {
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            return Check.fail(check.name(), "no result within " + timeout.toMillis() + " ms",
                    "the service this check asks did not answer in time: see its network path");
        } catch (ExecutionException e) {
            return Check.fail(check.name(), "the check failed: " + e.getCause(), "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.fail(check.name(), "interrupted", "");
        }
    }
}
