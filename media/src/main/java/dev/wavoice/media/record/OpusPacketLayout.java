package dev.wavoice.media.record;

/**
 * Where the frames of one parsed Opus packet lie (RFC 6716 section 3.2): a reusable scratch object, filled by
 * {@link OpusFraming#parse}, so parsing allocates nothing. Offsets are absolute indexes into the parsed array.
 */
public final class OpusPacketLayout {
    /** 120 ms of 2.5 ms frames, the most a packet may hold (RFC 6716 section 3.2.5). */
    public static final int MAX_FRAMES = 48;

    int toc;
    int frameCount;
    int samplesPerFrame;
    /** Where the first frame's data starts: everything before it is TOC, frame count, padding and length fields. */
    int dataStart;
    /** Just past the packet, padding included: for a self-delimited packet, where the next stream starts. */
    int end;
    int paddingLength;
    final int[] frameOffsets = new int[MAX_FRAMES];
    final int[] frameLengths = new int[MAX_FRAMES];

    public int toc() {
        return toc;
    }

    /** 0..3: one frame, two equal frames, two frames, any number (RFC 6716 section 3.2). */
    public int code() {
        return toc & 3;
    }

    public int frameCount() {
        return frameCount;
    }

    /** The packet's duration in 48 kHz samples: 960 for 20 ms. */
    public int samples48k() {
        return frameCount * samplesPerFrame;
    }

    public int frameOffset(int i) {
        return frameOffsets[i];
    }

    public int frameLength(int i) {
        return frameLengths[i];
    }

    public int dataStart() {
        return dataStart;
    }

    public int end() {
        return end;
    }

    public int paddingLength() {
        return paddingLength;
    }
}
