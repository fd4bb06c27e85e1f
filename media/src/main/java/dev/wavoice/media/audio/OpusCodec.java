package dev.wavoice.media.audio;

/**
 * A source of Opus encoders and decoders. Pick one with {@link OpusCodecs#select} and pass it to
 * whoever needs it; there is no process-wide default.
 *
 * <p>Opus codes at 8, 12, 16, 24 or 48 kHz at its API whatever the RTP clock says (RFC 7587 keeps
 * the clock at 48 kHz, so a 20 ms frame is 960 ticks at any rate): an application that speaks 24 kHz
 * asks for a 24 kHz encoder and decoder and needs no resampler. Frame sizes passed to a codec made
 * for {@code sampleRate} are in samples at that rate (20 ms = {@code sampleRate / 50}).
 */
public interface OpusCodec {
    /** "concentus" | "libopus". */
    String name();

    /** Mono, VOIP application, taking PCM at {@code sampleRate} (8, 12, 16, 24 or 48 kHz). */
    OpusEncoder newEncoder(int sampleRate, int bitrate, int complexity);

    /** Mono, producing PCM at {@code sampleRate} (8, 12, 16, 24 or 48 kHz). */
    OpusDecoder newDecoder(int sampleRate);

    /**
     * The rate to run a decoder at for an application that wants PCM at {@code pcmRate}: {@code pcmRate}
     * itself, unless this codec cannot decode every packet there (then 48 000, and the caller resamples).
     * No default, so a wrapper has to pass the wrapped codec's answer on.
     */
    int decodeRateFor(int pcmRate);

    /** 48 kHz mono, VOIP application. */
    default OpusEncoder newEncoder(int bitrate, int complexity) {
        return newEncoder(48_000, bitrate, complexity);
    }

    /** 48 kHz mono. */
    default OpusDecoder newDecoder() {
        return newDecoder(48_000);
    }

    /** Throws {@link IllegalArgumentException} unless Opus accepts {@code sampleRate} at its API. */
    static int checkSampleRate(int sampleRate) {
        return switch (sampleRate) {
            case 8_000, 12_000, 16_000, 24_000, 48_000 -> sampleRate;
            default -> throw new IllegalArgumentException("Opus codes at 8, 12, 16, 24 or 48 kHz, not " + sampleRate + " Hz");
        };
    }
}
