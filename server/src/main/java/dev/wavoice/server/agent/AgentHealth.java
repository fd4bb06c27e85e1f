package dev.wavoice.server.agent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the service knows of its agent, across calls: every failure counted in
 * {@code wavoice_agent_failures_total{kind,code}}, the first permanent failure of each code logged once at WARN with
 * what to fix, and the latest outcome (the startup check, a session configured, a permanent failure) for
 * {@code /ready}, the dashboard and the demo page. Thread-safe; one per server.
 */
public final class AgentHealth {
    private static final Logger log = LoggerFactory.getLogger(AgentHealth.class);

    /**
     * The latest outcome. {@code state} is {@code unchecked} (nothing known yet), {@code checking} (the startup
     * check is running), {@code ok} (a session was configured), {@code unreachable} (the startup check could not
     * reach the agent, which may heal) or {@code failed} (a permanent failure); the other fields describe a failure
     * and are null otherwise.
     */
    public record Status(String state, String code, String hint, String detail, Instant at) {
        static Status of(String state) {
            return new Status(state, null, null, null, Instant.now());
        }

        public boolean failed() {
            return "failed".equals(state);
        }
    }

    private final MeterRegistry metrics;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile Status status = Status.of("unchecked");

    public AgentHealth(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** For a connector on its own (tests, tools): counted in a registry nobody reads. */
    public static AgentHealth detached() {
        return new AgentHealth(new SimpleMeterRegistry());
    }

    public Status status() {
        return status;
    }

    void checking() {
        status = Status.of("checking");
    }

    /** A session was opened and configured: the key, model and session config were accepted. */
    void configured() {
        if (!"ok".equals(status.state())) {
            status = Status.of("ok");
        }
    }

    /** The startup check failed; a permanent failure is already the status, a transient one is noted here. */
    void checkFailed(AgentFailure failure) {
        if (failure == null) {
            status = new Status("unreachable", "other", "", "", Instant.now());
        } else if (!failure.permanent()) {
            status = new Status("unreachable", failure.code(), failure.hint(), failure.detail(), Instant.now());
        }
    }

    /** Counts a failure; a permanent one becomes the status, and its first occurrence per code a WARN line. */
    void failed(String callId, AgentFailure failure) {
        Counter.builder("wavoice.agent.failures")
                .description("Agent session failures by kind (permanent: not retried) and code")
                .tag("kind", failure.kind().label())
                .tag("code", failure.code())
                .register(metrics)
                .increment();
        if (!failure.permanent()) {
            return;
        }
        status = new Status("failed", failure.code(), failure.hint(), failure.detail(), Instant.now());
        if (warned.add(failure.code())) {
            log.warn("agent.failed_permanently callId={} code={} fix=\"{}\" detail=\"{}\" (further calls failing the "
                    + "same way are logged at INFO)", callId, failure.code(), failure.hint(), failure.detail());
        } else {
            log.info("agent.failed_permanently callId={} code={}", callId, failure.code());
        }
    }
}
