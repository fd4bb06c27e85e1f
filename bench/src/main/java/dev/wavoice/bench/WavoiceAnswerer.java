package dev.wavoice.bench;

import dev.wavoice.media.interop.PionEvent;
import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One call: Pion's edge offers, our {@link WebRtcEndpoint} answers in this process on the shared transport. */
final class WavoiceAnswerer {
    private static final Duration T = Duration.ofSeconds(10);
    private final WebRtcTransport transport;

    WavoiceAnswerer(WebRtcTransport transport) {
        this.transport = transport;
    }

    CallSetup call(String id) throws Exception {
        CompletableFuture<Long> connectedAt = new CompletableFuture<>();
        MediaListener listener = event -> {
            if (event instanceof EndpointEvent.Connected) {
                connectedAt.complete(System.nanoTime());
            }
        };
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge())) {
            String offer = edge.offer(T);
            SetupVsPion.settle();
            ProcessCpu cpu0 = ProcessCpu.self();
            long t0 = System.nanoTime();
            WebRtcEndpoint endpoint = transport.answer(id, offer, listener);
            String answer = endpoint.localDescription();
            long answered = System.nanoTime();
            try {
                edge.sendAnswer(answer);
                long connected = connectedAt.get(T.toMillis(), TimeUnit.MILLISECONDS);
                PionEvent edgeConnected = edge.awaitConnected(T);
                ProcessCpu cpu = ProcessCpu.self();
                double received = edge.event("answer_received").orElseThrow().tMs();
                double applied = edge.event("answer_applied").orElseThrow().tMs();
                double iceConnected = edge.awaitState("ice", "connected", T).tMs();
                double offerToAnswer = (answered - t0) / 1e6;
                return new CallSetup(offerToAnswer, (connected - t0) / 1e6, iceConnected - applied,
                        edgeConnected.tMs() - applied, offerToAnswer + edgeConnected.tMs() - received,
                        cpu.totalMsSince(cpu0), cpu.withoutJitAndGcMsSince(cpu0));
            } finally {
                endpoint.close();
            }
        }
    }
}
