package dev.wavoice.media.playout;

import java.time.Duration;

/**
 * Immutable jitter-buffer settings.
 *
 * @param clockRate        RTP clock, 48 000 for Opus (RFC 7587 fixes it whatever the real sample rate)
 * @param capacityPackets  ring slots, a power of two; must cover the max target plus reordering
 * @param maxPayloadBytes  largest payload kept; 1275 is the largest Opus packet for one frame (RFC 6716 §3.4)
 * @param slotBytes        initial slot size, from the bitrate the peer is expected to send; a larger payload (up
 *                         to {@code maxPayloadBytes}) grows its slot to {@code maxPayloadBytes} once, counted in
 *                         {@link JitterBufferStats#grownSlots()}, so it is kept, never dropped
 * @param minTarget        lower bound of the adaptive target depth
 * @param maxTarget        upper bound of the adaptive target depth
 * @param defaultFrame     frame duration assumed until timestamp deltas have shown the real one
 * @param maxConceal       concealment length after which an underrun plays silence instead of PLC
 * @param resyncAfter      an underrun this long ends the talk spurt: the next packet rebuilds depth
 * @param silentPayloadBytes payloads this small are DTX/silence frames, preferred for drift drops
 */
public record JitterBufferConfig(int clockRate, int capacityPackets, int maxPayloadBytes, int slotBytes,
        Duration minTarget, Duration maxTarget, Duration defaultFrame, Duration maxConceal, Duration resyncAfter,
        int silentPayloadBytes) {

    /**
     * The bitrate inbound slots are sized for: WhatsApp and browsers send Opus speech at up to about 40-64
     * kbit/s in 20 ms frames.
     */
    public static final int EXPECTED_PEER_BITRATE = 64_000;

    public JitterBufferConfig {
        if (capacityPackets < 16 || Integer.bitCount(capacityPackets) != 1) {
            throw new IllegalArgumentException("capacityPackets must be a power of two >= 16: " + capacityPackets);
        }
        if (minTarget.isNegative() || maxTarget.compareTo(minTarget) < 0) {
            throw new IllegalArgumentException("need 0 <= minTarget <= maxTarget");
        }
        if (clockRate <= 0 || maxPayloadBytes <= 0 || slotBytes <= 0 || slotBytes > maxPayloadBytes) {
            throw new IllegalArgumentException("need clockRate > 0 and 0 < slotBytes <= maxPayloadBytes");
        }
    }

    /** Opus at 48 kHz RTP clock, slots sized for {@link #EXPECTED_PEER_BITRATE} in 20 ms frames. */
    public static JitterBufferConfig opus() {
        return new JitterBufferConfig(48_000, 64, 1275, slotBytesFor(EXPECTED_PEER_BITRATE, Duration.ofMillis(20)),
                Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(20), Duration.ofMillis(100),
                Duration.ofMillis(300), 8);
    }

    /**
     * Twice the mean frame at {@code bitsPerSecond}: Opus VBR speech frames measured at most 1.3 times the mean
     * (BENCHMARKS.md, "Audio"), so a slot this size holds every frame of a peer at that rate.
     */
    public static int slotBytesFor(int bitsPerSecond, Duration frame) {
        long mean = bitsPerSecond * frame.toNanos() / 8 / 1_000_000_000L;
        return (int) Math.clamp(2 * mean, 16, 1275);
    }

    public JitterBufferConfig withTargets(Duration min, Duration max) {
        return new JitterBufferConfig(clockRate, capacityPackets, maxPayloadBytes, slotBytes, min, max, defaultFrame,
                maxConceal, resyncAfter, silentPayloadBytes);
    }

    /** The same buffer with slots of {@code bytes} to start with. */
    public JitterBufferConfig withSlotBytes(int bytes) {
        return new JitterBufferConfig(clockRate, capacityPackets, maxPayloadBytes, bytes, minTarget, maxTarget,
                defaultFrame, maxConceal, resyncAfter, silentPayloadBytes);
    }

    int samples(Duration d) {
        return (int) (d.toNanos() * clockRate / 1_000_000_000L);
    }
}
