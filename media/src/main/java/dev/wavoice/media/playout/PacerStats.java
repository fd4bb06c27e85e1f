package dev.wavoice.media.playout;

/**
 * Pacer counters and tick lateness (tick start minus its absolute deadline).
 *
 * @param ticks          ticks run
 * @param lateTicks      ticks that started later than the configured threshold
 * @param skippedTicks   ticks given up after a stall longer than the catch-up limit
 * @param streamFailures ticks in which a stream threw
 * @param streams        registered streams now
 */
public record PacerStats(long ticks, long lateTicks, long skippedTicks, long streamFailures, int streams,
        long latenessP50Nanos, long latenessP99Nanos, long latenessMaxNanos) {}
