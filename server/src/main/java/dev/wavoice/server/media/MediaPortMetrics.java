package dev.wavoice.server.media;

import dev.wavoice.media.transport.UdpMuxStats;
import dev.wavoice.media.webrtc.EndpointFailureStats;
import dev.wavoice.media.webrtc.WebRtcTransport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The shared media port's own counters as metrics: datagrams by class ({@code wavoice_udp_datagrams_total}) and
 * every datagram it threw away, by reason ({@code wavoice_udp_dropped_total}). A flood of garbage at the port
 * shows here, not in any call's figures: these say that it arrived and was refused before any call saw it. And why
 * endpoints never carried media ({@code wavoice_media_failures_total{kind}}): a refused offer or answer, ICE, DTLS.
 */
final class MediaPortMetrics {
    /** A scrape reads every series within this: one snapshot of the port's counters serves them all. */
    private static final long SNAPSHOT_NANOS = 250_000_000L;

    private MediaPortMetrics() {}

    static void register(WebRtcTransport transport, MeterRegistry metrics) {
        Latest<UdpMuxStats> port = new Latest<>(transport::stats);
        datagrams(metrics, transport, port, "all", UdpMuxStats::received);
        datagrams(metrics, transport, port, "stun", UdpMuxStats::stun);
        datagrams(metrics, transport, port, "dtls", UdpMuxStats::dtls);
        datagrams(metrics, transport, port, "rtp", UdpMuxStats::rtp);
        dropped(metrics, transport, port, "unclassified", UdpMuxStats::unclassified);
        dropped(metrics, transport, port, "truncated", UdpMuxStats::truncated);
        dropped(metrics, transport, port, "malformed_stun", UdpMuxStats::malformedStun);
        dropped(metrics, transport, port, "unknown_ufrag", UdpMuxStats::unknownUfrag);
        dropped(metrics, transport, port, "unknown_address", UdpMuxStats::unknownAddress);
        dropped(metrics, transport, port, "handler_error", UdpMuxStats::handlerErrors);
        Latest<EndpointFailureStats> failures = new Latest<>(transport::failureStats);
        failed(metrics, transport, failures, "offer_refused", EndpointFailureStats::offersRefused);
        failed(metrics, transport, failures, "answer_refused", EndpointFailureStats::answersRefused);
        failed(metrics, transport, failures, "ice", EndpointFailureStats::iceFailed);
        failed(metrics, transport, failures, "dtls_fingerprint", EndpointFailureStats::dtlsFingerprintMismatch);
        failed(metrics, transport, failures, "dtls_timeout", EndpointFailureStats::dtlsHandshakeTimeout);
        failed(metrics, transport, failures, "dtls_other", EndpointFailureStats::dtlsHandshakeFailed);
    }

    private static void datagrams(MeterRegistry metrics, WebRtcTransport transport, Latest<UdpMuxStats> port,
            String kind, ToLongFunction<UdpMuxStats> value) {
        FunctionCounter.builder("wavoice_udp_datagrams", transport, t -> value.applyAsLong(port.get()))
                .tag("class", kind).description("Datagrams received on the shared media port").register(metrics);
    }

    private static void dropped(MeterRegistry metrics, WebRtcTransport transport, Latest<UdpMuxStats> port,
            String reason, ToLongFunction<UdpMuxStats> value) {
        FunctionCounter.builder("wavoice_udp_dropped", transport, t -> value.applyAsLong(port.get()))
                .tag("reason", reason).description("Datagrams the shared media port dropped before any call saw them")
                .register(metrics);
    }

    private static void failed(MeterRegistry metrics, WebRtcTransport transport,
            Latest<EndpointFailureStats> failures, String kind, ToLongFunction<EndpointFailureStats> value) {
        FunctionCounter.builder("wavoice_media_failures", transport, t -> value.applyAsLong(failures.get()))
                .tag("kind", kind).description("Call endpoints that never carried media, by why").register(metrics);
    }

    /**
     * The latest snapshot of some counters, taken again when older than {@link #SNAPSHOT_NANOS}. The meters' functions
     * hold it; their state object stays the transport, which Micrometer holds weakly but the service holds anyway.
     */
    private static final class Latest<T> {
        private final Supplier<T> source;
        private T value;
        private long takenAt;

        Latest(Supplier<T> source) {
            this.source = source;
        }

        synchronized T get() {
            long now = System.nanoTime();
            if (value == null || now - takenAt > SNAPSHOT_NANOS) {
                value = source.get();
                takenAt = now;
            }
            return value;
        }
    }
}
