package dev.wavoice.media.record;

/**
 * What one side of a recording did, tick by tick. Every tick writes exactly one 20 ms frame per side, so
 * {@code frames + emptyFrames + invalidFrames} is the number of ticks recorded.
 *
 * @param frames        ticks that wrote the side's own Opus packet
 * @param emptyFrames   ticks with no packet waiting (silence, DTX, loss, the side not started): an empty frame
 * @param invalidFrames packets that were malformed, longer than a slot or not 20 ms long: an empty frame instead
 * @param droppedFrames packets pushed out of the side's ring by newer ones before a tick took them
 */
public record ChannelCounts(long frames, long emptyFrames, long invalidFrames, long droppedFrames) {
}
