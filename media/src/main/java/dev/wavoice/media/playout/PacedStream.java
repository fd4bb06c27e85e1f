package dev.wavoice.media.playout;

/** Something the shared {@link Pacer} drives once per tick, typically one call's outbound audio. */
@FunctionalInterface
public interface PacedStream {
    /**
     * Sends this tick's frame. Runs on the pacer thread between every other call's tick, so it must be
     * short and must not block; it must not throw for expected conditions (a throw is counted).
     *
     * @param tickIndex counts ticks since the pacer started; a jump means ticks were skipped after a stall,
     *                  so a sender can advance its RTP timestamp by the same number of frames
     * @param nowNanos  {@link System#nanoTime()} when the tick began
     */
    void tick(long tickIndex, long nowNanos);
}
