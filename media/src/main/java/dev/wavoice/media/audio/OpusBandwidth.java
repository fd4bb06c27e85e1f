package dev.wavoice.media.audio;

/**
 * The audio bandwidths Opus codes (RFC 6716 §2): the widest one an encoder may use is a quality knob,
 * since bits not spent above a band's edge go to the speech below it.
 *
 * @param audioHz the highest audio frequency the band carries
 */
public enum OpusBandwidth {
    NARROW(4_000),
    MEDIUM(6_000),
    WIDE(8_000),
    SUPER_WIDE(12_000),
    FULL(20_000);

    private final int audioHz;

    OpusBandwidth(int audioHz) {
        this.audioHz = audioHz;
    }

    public int audioHz() {
        return audioHz;
    }

    /** OPUS_BANDWIDTH_NARROWBAND (1101) .. OPUS_BANDWIDTH_FULLBAND (1105) in opus_defines.h. */
    public int opusConstant() {
        return 1101 + ordinal();
    }

    /** The widest band PCM at {@code sampleRate} can carry (half the rate, Nyquist). */
    public static OpusBandwidth widestFor(int sampleRate) {
        OpusBandwidth widest = NARROW;
        for (OpusBandwidth b : values()) {
            if (b.audioHz * 2 <= sampleRate) {
                widest = b;
            }
        }
        return widest;
    }
}
