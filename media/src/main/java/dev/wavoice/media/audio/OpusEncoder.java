package dev.wavoice.media.audio;

/** 48 kHz mono Opus. One instance per call direction; not thread-safe. */
public interface OpusEncoder extends AutoCloseable {
    /** Encodes frameSize samples (960 = 20 ms) into out; returns bytes written (DTX may give 1-2 bytes), or -1 on error. */
    int encode(short[] pcm, int pcmOff, int frameSize, byte[] out, int outOff, int maxBytes);

    void setBitrate(int bitsPerSecond);

    void setComplexity(int complexity);

    /** In-band FEC with the loss rate the encoder should plan for. */
    void setInbandFec(boolean enabled, int expectedLossPercent);

    void setDtx(boolean enabled);

    @Override
    void close();
}
