package dev.wavoice.media.playout;

/**
 * Pacer counters and tick lateness (tick start minus its absolute deadline).
 *
 * @param ticks          ticks run
 * @param lateTicks      ticks that started later than the configured threshold
 * @param skippedTicks   ticks given up after a stall longer than the catch-up limit
 * @param streamFailures ticks in which a stream threw
 * @param streams        registered streams now
 * @param sendLateTicks  ticks whose last stream finished later than the threshold after the deadline: some frame
 *                       of that tick left late even when the tick itself started on time
 * @param sendLatenessP99Nanos end of a tick's sends minus its deadline, 99th percentile
 */
public record PacerStats(long ticks, long lateTicks, long skippedTicks, long streamFailures, int streams,
        long latenessP50Nanos, long latenessP99Nanos, long latenessMaxNanos, long sendLateTicks,
        long sendLatenessP99Nanos, long sendLatenessMaxNanos) {}
