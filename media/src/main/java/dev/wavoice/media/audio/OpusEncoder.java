package dev.wavoice.media.audio;

/** Mono Opus at the rate it was made for (48 kHz unless asked otherwise). One instance per call direction; not thread-safe. */
public interface OpusEncoder extends AutoCloseable {
    /** Encodes frameSize samples (20 ms = 960 at 48 kHz, 480 at 24 kHz) into out; returns bytes written (DTX may give 1-2 bytes), or -1 on error. */
    int encode(short[] pcm, int pcmOff, int frameSize, byte[] out, int outOff, int maxBytes);

    void setBitrate(int bitsPerSecond);

    void setComplexity(int complexity);

    /** In-band FEC with the loss rate the encoder should plan for. */
    void setInbandFec(boolean enabled, int expectedLossPercent);

    void setDtx(boolean enabled);

    /** The widest audio band the encoder may code; it picks narrower ones itself when bits are short. */
    void setMaxBandwidth(OpusBandwidth bandwidth);

    @Override
    void close();
}
