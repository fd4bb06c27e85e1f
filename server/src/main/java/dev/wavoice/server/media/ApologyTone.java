package dev.wavoice.server.media;

import dev.wavoice.media.audio.SineGenerator;

/**
 * What a caller hears when the agent cannot be reached: two short falling tones (the familiar "something is
 * wrong" cue), quiet enough not to startle, then the call ends. A tone rather than a recorded voice, because it
 * needs no language and no asset.
 */
final class ApologyTone {
    static final int RATE = 24_000;
    static final double HIGH_HZ = 660, LOW_HZ = 440;

    private ApologyTone() {}

    /** 250 ms high, 100 ms pause, 400 ms low, 250 ms pause: one second at 24 kHz. */
    static short[] pcm24k() {
        short[] pcm = new short[RATE];
        tone(pcm, 0, ms(250), HIGH_HZ);
        tone(pcm, ms(350), ms(400), LOW_HZ);
        return pcm;
    }

    private static void tone(short[] pcm, int off, int len, double hz) {
        new SineGenerator(hz, RATE, 0.25).fill(pcm, off, len);
        int ramp = ms(5); // no clicks at the edges
        for (int i = 0; i < ramp; i++) {
            pcm[off + i] = (short) (pcm[off + i] * i / ramp);
            pcm[off + len - 1 - i] = (short) (pcm[off + len - 1 - i] * i / ramp);
        }
    }

    private static int ms(int millis) {
        return RATE * millis / 1000;
    }
}
