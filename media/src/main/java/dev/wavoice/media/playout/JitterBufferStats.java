package dev.wavoice.media.playout;

/**
 * A snapshot of one inbound stream's jitter-buffer counters (Jitsi style: every drop has a reason).
 *
 * @param received      packets offered to {@code put}
 * @param invalid       dropped: empty or larger than {@link JitterBufferConfig#maxPayloadBytes()}
 * @param duplicates    dropped: that sequence number is buffered or was just played
 * @param late          dropped: behind the playout point, or pushed out of the window before playout
 * @param lost          frames whose packet was not there when their turn came while later ones were
 * @param fecRecovered  of those, frames rebuilt from the next packet's in-band FEC
 * @param concealed     frames handed to PLC (losses without FEC, and underruns)
 * @param driftDropped  frames skipped because the buffer stayed above target (sender clock fast)
 * @param driftInserted frames inserted because the buffer stayed below target (sender clock slow)
 * @param resyncs       restarts: a long gap, or a sequence jump beyond the window
 * @param depthMillis   media buffered ahead of the playout point
 * @param targetMillis  current adaptive target depth
 * @param frameSamples  frame duration seen in timestamp deltas
 * @param grownSlots    slots grown to the largest payload for a packet bigger than their initial size (each
 *                      slot at most once); the packet was kept
 * @param timestampSteps the sender's RTP clock stepped (back, or ahead of the time that passed) with the sequence
 *                      going on: media time was kept continuous across the step
 */
public record JitterBufferStats(long received, long invalid, long duplicates, long late, long lost,
        long fecRecovered, long concealed, long driftDropped, long driftInserted, long resyncs, int depthMillis,
        int targetMillis, int frameSamples, long grownSlots, long timestampSteps) {

    public long driftAdjusted() {
        return driftDropped + driftInserted;
    }
}
