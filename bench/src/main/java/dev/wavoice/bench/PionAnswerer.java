package dev.wavoice.bench;

import dev.wavoice.media.interop.PionEvent;
import dev.wavoice.media.interop.PionPeer;
import java.time.Duration;

/**
 * One call: Pion's edge offers, a plain Pion answerer (full ICE, setup:active, its own process) answers. Its
 * timings come from the peers' own {@code t_ms} clocks, so the pipes between them and this JVM add nothing but
 * the one hop the answer SDP takes back to the edge (counted only in {@code offerToConnected}).
 */
final class PionAnswerer {
    private static final Duration T = Duration.ofSeconds(10);

    CallSetup call() throws InterruptedException {
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge());
             PionPeer answerer = PionPeer.start(PionPeer.Options.answerer())) {
            String offer = edge.offer(T);
            SetupVsPion.settle();
            ProcessCpu cpu0 = ProcessCpu.of(answerer.pid());
            answerer.sendOffer(offer);
            String answer = answerer.answer(T);
            edge.sendAnswer(answer);
            PionEvent edgeConnected = edge.awaitConnected(T);
            PionEvent answererConnected = answerer.awaitConnected(T);
            double cpu = ProcessCpu.of(answerer.pid()).totalMsSince(cpu0);
            double offerReceived = answerer.event("offer_received").orElseThrow().tMs();
            double answered = answerer.events().stream().filter(e -> e.signal() && e.name().equals("answer"))
                    .findFirst().orElseThrow().tMs();
            double received = edge.event("answer_received").orElseThrow().tMs();
            double applied = edge.event("answer_applied").orElseThrow().tMs();
            double iceConnected = edge.awaitState("ice", "connected", T).tMs();
            double offerToAnswer = answered - offerReceived;
            return new CallSetup(offerToAnswer, answererConnected.tMs() - offerReceived,
                    iceConnected - applied, edgeConnected.tMs() - applied,
                    offerToAnswer + edgeConnected.tMs() - received, cpu, cpu);
        }
    }
}
