package dev.wavoice.media.playout;

/**
 * Outbound queue counters.
 *
 * @param queuedFrames    frames waiting now
 * @param enqueued        frames published by the producer
 * @param sent            frames taken by the pacer side
 * @param idleTicks       polls that found nothing (the caller sent DTX/comfort silence)
 * @param overflowDropped oldest frames dropped because the queue was full
 * @param cleared         frames discarded by {@code clear()}
 * @param clears          {@code clear()} calls
 * @param grownSlots      encoded slots grown for a frame bigger than their initial size (each at most once)
 */
public record OutboundQueueStats(long queuedFrames, long enqueued, long sent, long idleTicks,
        long overflowDropped, long cleared, long clears, long grownSlots) {}
