package dev.wavoice.server.web;

import dev.wavoice.server.store.QueuedCallLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a webhook's 200 until what it changed is in the database. Meta does not deliver an acknowledged webhook
 * again, so a process killed between the 200 and the call-log writer's next commit lost the event for good: a
 * caller's hang-up answered just before a kill -9 left the call open, and the restart ended it as its own and told
 * Graph to terminate a call that was over. The wait is bounded and skipped while the database is down: calls never
 * depend on it, and a webhook answered without its rows is counted.
 */
final class DurableWebhookAck {
    private static final Logger log = LoggerFactory.getLogger(DurableWebhookAck.class);
    /** Far below Meta's delivery timeout; a commit takes milliseconds when the database is well. */
    static final Duration MAX_WAIT = Duration.ofSeconds(2);

    private final QueuedCallLog callLog;
    private final MeterRegistry metrics;

    DurableWebhookAck(QueuedCallLog callLog, MeterRegistry metrics) {
        this.callLog = callLog;
        this.metrics = metrics;
    }

    /** Returns once the webhook's work here has run and its writes are committed, or the bound has passed. */
    void await(CompletableFuture<Void> handled) {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        String outcome;
        try {
            handled.get(MAX_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            if (!callLog.isDatabaseUp()) {
                outcome = "database_down";
            } else {
                outcome = callLog.awaitSettled(callLog.acceptedWrites(), Duration.ofNanos(deadline - System.nanoTime()))
                        ? "written" : "timeout";
            }
        } catch (TimeoutException e) {
            outcome = "timeout";
        } catch (ExecutionException e) {
            outcome = "failed"; // the processor logged it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        metrics.counter("wavoice.webhook.acknowledged", "rows", outcome).increment();
        if (outcome.equals("timeout")) {
            log.warn("webhook.acknowledged_before_written waitedMs={} (the call log is slow: a crash now loses it)",
                    MAX_WAIT.toMillis());
        }
    }
}
