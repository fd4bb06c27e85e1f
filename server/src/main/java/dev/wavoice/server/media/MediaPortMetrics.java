package dev.wavoice.server.media;

import dev.wavoice.media.transport.UdpMuxStats;
import dev.wavoice.media.webrtc.WebRtcTransport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToLongFunction;

/**
 * The shared media port's own counters as metrics: datagrams by class ({@code wavoice_udp_datagrams_total}) and
 * every datagram it threw away, by reason ({@code wavoice_udp_dropped_total}). A flood of garbage at the port
 * shows here, not in any call's figures: these say that it arrived and was refused before any call saw it.
 */
final class MediaPortMetrics {
    private MediaPortMetrics() {}

    static void register(WebRtcTransport transport, MeterRegistry metrics) {
        datagrams(metrics, transport, "all", UdpMuxStats::received);
        datagrams(metrics, transport, "stun", UdpMuxStats::stun);
        datagrams(metrics, transport, "dtls", UdpMuxStats::dtls);
        datagrams(metrics, transport, "rtp", UdpMuxStats::rtp);
        dropped(metrics, transport, "unclassified", UdpMuxStats::unclassified);
        dropped(metrics, transport, "truncated", UdpMuxStats::truncated);
        dropped(metrics, transport, "malformed_stun", UdpMuxStats::malformedStun);
        dropped(metrics, transport, "unknown_ufrag", UdpMuxStats::unknownUfrag);
        dropped(metrics, transport, "unknown_address", UdpMuxStats::unknownAddress);
        dropped(metrics, transport, "handler_error", UdpMuxStats::handlerErrors);
    }

    private static void datagrams(MeterRegistry metrics, WebRtcTransport transport, String kind,
            ToLongFunction<UdpMuxStats> value) {
        FunctionCounter.builder("wavoice_udp_datagrams", transport, t -> value.applyAsLong(t.stats()))
                .tag("class", kind).description("Datagrams received on the shared media port").register(metrics);
    }

    private static void dropped(MeterRegistry metrics, WebRtcTransport transport, String reason,
            ToLongFunction<UdpMuxStats> value) {
        FunctionCounter.builder("wavoice_udp_dropped", transport, t -> value.applyAsLong(t.stats()))
                .tag("reason", reason).description("Datagrams the shared media port dropped before any call saw them")
                .register(metrics);
    }
}
