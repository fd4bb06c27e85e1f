package dev.wavoice.media.playout;

import java.time.Duration;

/**
 * Immutable jitter-buffer settings.
 *
 * @param clockRate        RTP clock, 48 000 for Opus (RFC 7587 fixes it whatever the real sample rate)
 * @param capacityPackets  ring slots, a power of two; must cover the max target plus reordering
 * @param maxPayloadBytes  slot size; 1275 is the largest Opus packet for one frame (RFC 6716 §3.4)
 * @param minTarget        lower bound of the adaptive target depth
 * @param maxTarget        upper bound of the adaptive target depth
 * @param defaultFrame     frame duration assumed until timestamp deltas have shown the real one
 * @param maxConceal       concealment length after which an underrun plays silence instead of PLC
 * @param resyncAfter      an underrun this long ends the talk spurt: the next packet rebuilds depth
 * @param silentPayloadBytes payloads this small are DTX/silence frames, preferred for drift drops
 */
public record JitterBufferConfig(int clockRate, int capacityPackets, int maxPayloadBytes, Duration minTarget,
        Duration maxTarget, Duration defaultFrame, Duration maxConceal, Duration resyncAfter,
        int silentPayloadBytes) {

    public JitterBufferConfig {
        if (capacityPackets < 16 || Integer.bitCount(capacityPackets) != 1) {
            throw new IllegalArgumentException("capacityPackets must be a power of two >= 16: " + capacityPackets);
        }
        if (minTarget.isNegative() || maxTarget.compareTo(minTarget) < 0) {
            throw new IllegalArgumentException("need 0 <= minTarget <= maxTarget");
        }
        if (clockRate <= 0 || maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("clockRate and maxPayloadBytes must be positive");
        }
    }

    public static JitterBufferConfig opus() {
        return new JitterBufferConfig(48_000, 64, 1275, Duration.ofMillis(20), Duration.ofMillis(200),
                Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(300), 8);
    }

    public JitterBufferConfig withTargets(Duration min, Duration max) {
        return new JitterBufferConfig(clockRate, capacityPackets, maxPayloadBytes, min, max, defaultFrame,
                maxConceal, resyncAfter, silentPayloadBytes);
    }

    int samples(Duration d) {
        return (int) (d.toNanos() * clockRate / 1_000_000_000L);
    }
}
