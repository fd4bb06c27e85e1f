package dev.wavoice.media.stream;

import dev.wavoice.media.playout.JitterBufferConfig;
import dev.wavoice.media.playout.OutboundQueueConfig;
import java.time.Duration;

/**
 * How one call's audio is carried.
 *
 * @param pcmRate      the rate the application speaks: inbound frames are delivered at it and {@code send} takes
 *                     it (24000 for OpenAI Realtime). Opus encodes and decodes at this rate directly, so no
 *                     resampler runs (except inbound with Concentus, see {@code ConcentusOpusCodec.decodeRateFor})
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
     * Speech at 32 kbit/s, complexity 5, FEC for 10 % loss, PCM at {@code pcmRate}, coded at {@code pcmRate}. 10 s
     * of outbound audio may be queued (agents send faster than real time) as Opus frames in slots of twice the mean
     * frame at 32 kbit/s (160 bytes); a bigger frame (an agent's own Opus, up to 1275 bytes) grows its slot once.
     * Inbound slots are sized for {@link JitterBufferConfig#EXPECTED_PEER_BITRATE}.
     *
     * <p>Chosen by {@code VoiceQualityTest} (band spectral distortion of a speech-like signal at 24 kHz, 2026-12-06,
     * BENCHMARKS.md "Audio"): coded at 24 kHz it is as good as through the old 48 kHz path with two resamplers
     * (libopus c5: 1.94 vs 1.95 dB to 8 kHz) at less CPU. Complexity 5 stays: 8 and 10 gain 0.2 dB for about 1.6
     * times the cost, 3 and 1 lose 0.3 dB (libopus) to 0.7 dB (Concentus). Complexity 1 would cut libopus
     * transcoding from 12.4 to 6.0 ms CPU per call-second ({@code TranscodeBench}). The maximum bandwidth stays the
     * widest 24 kHz carries (super-wideband): wideband gains 0.6 dB below 8 kHz but drops everything above (4.5 vs
     * 2.0 dB over 100 Hz..11 kHz).
     */
    public static AudioStreamConfig speech(int pcmRate) {
        int bitrate = 32_000;
        return new AudioStreamConfig(pcmRate, bitrate, 5, 10, JitterBufferConfig.opus(),
                new OutboundQueueConfig(48_000, FRAME_48K, 500, 1275,
                        JitterBufferConfig.slotBytesFor(bitrate, Duration.ofMillis(20))));
    }

    public int pcmFrame() {
        return pcmRate / 50;
    }
}
