package dev.wavoice.media.audio;

/** Mono Opus at the rate it was made for (48 kHz unless asked otherwise). One instance per call direction; not thread-safe. */
public interface OpusDecoder extends AutoCloseable {
    /**
     * Decodes a packet into pcm (mono, at the decoder's rate); with fec=true decodes the FEC data carried for
     * the PREVIOUS frame (frameSize samples at the decoder's rate). Returns samples, or -1 for a corrupt packet (counted, never thrown).
     */
    int decode(byte[] packet, int off, int len, short[] pcm, int pcmOff, int frameSize, boolean fec);

    /** Packet loss concealment for one missing frame of frameSize samples (at the decoder's rate). */
    int conceal(short[] pcm, int pcmOff, int frameSize);

    @Override
    void close();
}
