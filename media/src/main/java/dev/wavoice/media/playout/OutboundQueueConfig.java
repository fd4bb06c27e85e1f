package dev.wavoice.media.playout;

/**
 * Immutable outbound-queue settings.
 *
 * @param sampleRate      PCM rate of the queued audio (48 000 before Opus, or the agent's 24 000)
 * @param frameSamples    samples per paced frame: one period of {@code sampleRate}
 * @param capacityFrames  frames held before the oldest is dropped; agents often deliver a whole answer
 *                        faster than real time, so this bounds memory, not latency
 * @param maxEncodedBytes slot size for encoded frames ({@code offerEncoded}); 0 for a PCM-only queue
 */
public record OutboundQueueConfig(int sampleRate, int frameSamples, int capacityFrames, int maxEncodedBytes) {

    public OutboundQueueConfig {
        if (sampleRate <= 0 || frameSamples <= 0 || capacityFrames <= 0 || maxEncodedBytes < 0) {
            throw new IllegalArgumentException("sampleRate, frameSamples and capacityFrames must be positive");
        }
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
}
