package dev.wavoice.media.playout;

/**
 * Immutable outbound-queue settings.
 *
 * @param sampleRate     PCM rate of the queued audio (48 000 before Opus, or the agent's 24 000)
 * @param frameSamples   samples per paced frame: one period of {@code sampleRate}
 * @param capacityFrames frames held before the oldest is dropped; agents often deliver a whole answer
 *                       faster than real time, so this bounds memory, not latency
 */
public record OutboundQueueConfig(int sampleRate, int frameSamples, int capacityFrames) {

    public OutboundQueueConfig {
        if (sampleRate <= 0 || frameSamples <= 0 || capacityFrames <= 0) {
            throw new IllegalArgumentException("sampleRate, frameSamples and capacityFrames must be positive");
        }
    }

    /** 48 kHz mono, 20 ms frames, 30 s of audio (2.9 MB per call). */
    public static OutboundQueueConfig opus48k() {
        return new OutboundQueueConfig(48_000, 960, 1_500);
    }

    public static OutboundQueueConfig of(int sampleRate, int frameMillis, int capacityFrames) {
        return new OutboundQueueConfig(sampleRate, sampleRate * frameMillis / 1000, capacityFrames);
    }
}
