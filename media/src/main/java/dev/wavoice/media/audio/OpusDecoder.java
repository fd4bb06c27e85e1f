package dev.wavoice.media.audio;

/** 48 kHz mono Opus. One instance per call direction; not thread-safe. */
public interface OpusDecoder extends AutoCloseable {
    /**
     * Decodes a packet into pcm (48 kHz mono); with fec=true decodes the FEC data carried for the
     * PREVIOUS frame (frameSize samples). Returns samples, or -1 for a corrupt packet (counted, never thrown).
     */
    int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec);

    /** Packet loss concealment for one missing frame of frameSize samples. */
    int conceal(short[] pcm, int pcmOff, int frameSize);

    @Override
    void close();
}
