package dev.wavoice.media.audio;

/**
 * A source of Opus encoders and decoders. Pick one with {@link OpusCodecs#select} and pass it to
 * whoever needs it; there is no process-wide default.
 */
public interface OpusCodec {
    /** "concentus" | "libopus". */
    String name();

    /** 48 kHz mono, VOIP application. */
    OpusEncoder newEncoder(int bitrate, int complexity);

    /** 48 kHz mono. */
    OpusDecoder newDecoder();
}
