package dev.wavoice.bench;

/**
 * The timings of one call set up on loopback between Pion as WhatsApp's edge and an answerer, in milliseconds.
 *
 * @param offerToAnswer          answerer: offer in hand → answer SDP written
 * @param offerToConnected       answerer: offer in hand → ICE and DTLS connected, as the answerer itself reports it
 *                               (includes handing the answer to the edge over the harness's pipes)
 * @param edgeAppliedToIce       edge: answer applied → ICE connected (edge's own clock): where the time goes
 * @param edgeAppliedToConnected edge: answer applied → peer connection connected, i.e. ICE and DTLS (edge's clock)
 * @param setup                  {@code offerToAnswer} + edge: answer received → connected; the whole setup without
 *                               the harness's signalling hops, the figure to compare
 * @param answererCpu            CPU the answerer's process used from the offer until both sides were connected
 *                               ({@link ProcessCpu}); unlike the latencies it barely moves when other work shares
 *                               the cores. For wavoice it also holds this harness's own threads (reading the edge's
 *                               events), JIT compilation and GC, so it errs against us
 * @param answererCpuWithoutJitGc {@code answererCpu} without the JVM's compiler, GC and VM threads (for Pion: the same
 *                               as {@code answererCpu}, its code is compiled ahead and its GC runs on its own threads)
 */
record CallSetup(double offerToAnswer, double offerToConnected, double edgeAppliedToIce,
                 double edgeAppliedToConnected, double setup, double answererCpu,
                 double answererCpuWithoutJitGc) {
}
