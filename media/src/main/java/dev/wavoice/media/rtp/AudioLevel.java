package dev.wavoice.media.rtp;

/**
 * RFC 6464 client-to-mixer audio level: one byte, {@code V} (voice activity, the top bit) then the level in -dBov
 * (0 = full scale, 127 = silence or quieter). Static helpers over the packed byte so the packet path stays on ints.
 */
public final class AudioLevel {
    /** §3: 127 is the quietest level the element can carry; it also stands for digital silence. */
    public static final int SILENCE = 127;

    private AudioLevel() {}

    /** Packs a level (clamped to 0..127 -dBov) and the voice-activity flag into the element's byte. */
    public static int pack(int levelDbov, boolean voice) {
        int level = Math.max(0, Math.min(SILENCE, levelDbov));
        return (voice ? 0x80 : 0) | level;
    }

    /** The level in -dBov of a packed value from {@link RtpPacket#audioLevel}. */
    public static int level(int packed) {
        return packed & 0x7F;
    }

    public static boolean voice(int packed) {
        return (packed & 0x80) != 0;
    }

    /**
     * The RFC 6464 §3 level of 16-bit PCM: RMS relative to full scale, in -dBov, rounded and clamped to 0..127.
     * A loop and a log per 20 ms frame; no allocation.
     */
    public static int fromPcm(short[] pcm, int off, int len) {
        if (len <= 0) {
            return SILENCE;
        }
        double sum = 0;
        for (int i = off; i < off + len; i++) {
            double s = pcm[i] / 32768.0;
            sum += s * s;
        }
        double rms = Math.sqrt(sum / len);
        if (rms <= 0) {
            return SILENCE;
        }
        long dbov = Math.round(-20 * Math.log10(rms));
        return (int) Math.max(0, Math.min(SILENCE, dbov));
    }
}
