package dev.wavoice.server.media;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long the relay holds a packet: from the decrypted packet reaching the bridge on one leg to its encrypted copy
 * handed to the kernel on the other (re-stamping, SRTP protect and the send included; the receive side's SRTP
 * unprotect, about a microsecond, is not). Shared by all calls, recorded per packet without allocation or locks:
 * 10 µs buckets up to 2 ms, then doubling ones. Exposed as {@code wavoice_relay_latency_seconds{quantile}}.
 */
final class RelayLatency {
    private static final int FINE = 200;
    private static final long FINE_NANOS = 10_000;
    private final AtomicLongArray buckets = new AtomicLongArray(FINE + 24);

    void record(long nanos) {
        int b;
        if (nanos < FINE * FINE_NANOS) {
            b = (int) (Math.max(0, nanos) / FINE_NANOS);
        } else {
            long over = nanos / (FINE * FINE_NANOS); // 1 for 2..4 ms, 2..3 for 4..8 ms, …
            b = Math.min(buckets.length() - 1, FINE + 63 - Long.numberOfLeadingZeros(over));
        }
        buckets.incrementAndGet(b);
    }

    /** The upper edge of the bucket holding quantile {@code q} of all packets so far, in seconds; 0 when none. */
    double quantileSeconds(double q) {
        long total = 0;
        for (int i = 0; i < buckets.length(); i++) {
            total += buckets.get(i);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total), seen = 0;
        for (int i = 0; i < buckets.length(); i++) {
            seen += buckets.get(i);
            if (seen >= rank) {
                long upper = i < FINE ? (i + 1) * FINE_NANOS : FINE * FINE_NANOS * (2L << (i - FINE));
                return upper / 1e9;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    RelayLatency register(MeterRegistry metrics) {
        for (double q : new double[] {0.5, 0.99, 0.999}) {
            Gauge.builder("wavoice_relay_latency_seconds", this, r -> r.quantileSeconds(q))
                    .tag("quantile", Double.toString(q))
                    .description("Opus relay: packet decrypted on one leg to its copy sent on the other (upper bucket edge)")
                    .register(metrics);
        }
        return this;
    }
}
