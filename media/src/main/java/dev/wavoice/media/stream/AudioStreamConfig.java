package dev.wavoice.media.stream;

import dev.wavoice.media.playout.JitterBufferConfig;
import dev.wavoice.media.playout.OutboundQueueConfig;

/**
 * How one call's audio is carried.
 *
 * @param pcmRate      the rate the application speaks: inbound frames are delivered at it and {@code send} takes
 *                     it (24000 for OpenAI Realtime; 48000 means no resampling)
 * @param bitrate      Opus target bitrate (bit/s)
 * @param complexity   Opus encoder complexity 0..10
 * @param expectedLossPercent in-band FEC is planned for this loss rate (0 disables FEC)
 */
public record AudioStreamConfig(int pcmRate, int bitrate, int complexity, int expectedLossPercent,
                                JitterBufferConfig jitter, OutboundQueueConfig outbound) {

    /** 20 ms at 48 kHz: what WhatsApp and browsers send. */
    public static final int FRAME_48K = 960;

    public AudioStreamConfig {
        if (pcmRate != 48000 && pcmRate != 24000 && pcmRate != 16000 && pcmRate != 8000) {
            throw new IllegalArgumentException("pcmRate must be 48000, 24000, 16000 or 8000: " + pcmRate);
        }
    }

    /**
     * Speech at 32 kbit/s, complexity 5 (the quality knee measured for both codecs), FEC for 10 % loss, PCM at
     * {@code pcmRate}; 10 s of outbound audio may be queued (agents send faster than real time), as PCM or as
     * Opus frames of up to 400 bytes (160 kbit/s).
     */
    public static AudioStreamConfig speech(int pcmRate) {
        return new AudioStreamConfig(pcmRate, 32_000, 5, 10, JitterBufferConfig.opus(),
                new OutboundQueueConfig(48_000, FRAME_48K, 500, 400));
    }

    public int pcmFrame() {
        return pcmRate / 50;
    }
}
