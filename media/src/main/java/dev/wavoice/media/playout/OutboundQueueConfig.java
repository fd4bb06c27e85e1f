package dev.wavoice.media.playout;

/**
 * Immutable outbound-queue settings.
 *
 * @param sampleRate      PCM rate of the queued audio (48 000 before Opus, or the agent's 24 000)
 * @param frameSamples    samples per paced frame: one period of {@code sampleRate}
 * @param capacityFrames  frames held before the oldest is dropped; agents often deliver a whole answer
 *                        faster than real time, so this bounds memory, not latency
 * @param maxEncodedBytes largest encoded frame accepted ({@code offerEncoded}); 0 for a PCM-only queue
 * @param slotEncodedBytes initial size of each encoded slot, from the encoder's bitrate; a larger frame (up to
 *                        {@code maxEncodedBytes}) grows its slot to {@code maxEncodedBytes} once, counted in
 *                        {@link OutboundQueueStats#grownSlots()}, and is queued, never dropped
 */
public record OutboundQueueConfig(int sampleRate, int frameSamples, int capacityFrames, int maxEncodedBytes,
                                  int slotEncodedBytes) {

    public OutboundQueueConfig {
        if (sampleRate <= 0 || frameSamples <= 0 || capacityFrames <= 0 || maxEncodedBytes < 0) {
            throw new IllegalArgumentException("sampleRate, frameSamples and capacityFrames must be positive");
        }
        if (slotEncodedBytes < 0 || slotEncodedBytes > maxEncodedBytes || (maxEncodedBytes > 0 && slotEncodedBytes == 0)) {
            throw new IllegalArgumentException("need 0 < slotEncodedBytes <= maxEncodedBytes for an encoded queue");
        }
    }

    /** Slots as large as the largest frame accepted: nothing ever grows. */
    public OutboundQueueConfig(int sampleRate, int frameSamples, int capacityFrames, int maxEncodedBytes) {
        this(sampleRate, frameSamples, capacityFrames, maxEncodedBytes, maxEncodedBytes);
    }

    /** 48 kHz mono, 20 ms frames, 30 s of audio (2.9 MB per call), PCM only. */
    public static OutboundQueueConfig opus48k() {
        return new OutboundQueueConfig(48_000, 960, 1_500, 0);
    }

    /** PCM frames of {@code frameMillis}; no encoded frames. */
    public static OutboundQueueConfig of(int sampleRate, int frameMillis, int capacityFrames) {
        return new OutboundQueueConfig(sampleRate, sampleRate * frameMillis / 1000, capacityFrames, 0);
    }

    /** The same queue also accepting encoded frames up to {@code maxBytes} (1275 for any Opus frame). */
    public OutboundQueueConfig withEncodedFrames(int maxBytes) {
        return new OutboundQueueConfig(sampleRate, frameSamples, capacityFrames, maxBytes);
    }

    /** The same queue with encoded slots of {@code bytes} to start with (frames up to the maximum still fit). */
    public OutboundQueueConfig withEncodedSlots(int bytes) {
        return new OutboundQueueConfig(sampleRate, frameSamples, capacityFrames, maxEncodedBytes, bytes);
    }
}
