package dev.wavoice.media.audio;

/**
 * A sine tone written frame by frame; the phase carries over, so consecutive frames join without a
 * click. For tests and the {@code simulate} demo. Not thread-safe.
 */
public final class SineGenerator {
    private final double step;
    private final double amplitude;
    private double phase;

    /**
     * @param frequency hertz
     * @param sampleRate hertz
     * @param amplitude peak, as a fraction of full scale (0..1)
     */
    public SineGenerator(double frequency, int sampleRate, double amplitude) {
        if (frequency <= 0 || frequency >= sampleRate / 2.0) {
            throw new IllegalArgumentException("frequency " + frequency + " Hz outside (0, " + sampleRate / 2 + ")");
        }
        this.step = 2 * Math.PI * frequency / sampleRate;
        this.amplitude = Math.clamp(amplitude, 0, 1) * Short.MAX_VALUE;
    }

    /** Writes the next {@code length} samples. */
    public void fill(short[] pcm, int off, int length) {
        for (int i = 0; i < length; i++) {
            pcm[off + i] = (short) Math.round(amplitude * Math.sin(phase));
            phase += step;
        }
        // keep the phase small so precision does not drift over a long call
        phase %= 2 * Math.PI;
    }

    /** Adds the next {@code length} samples onto what is there (saturating), to build mixtures. */
    public void add(short[] pcm, int off, int length) {
        for (int i = 0; i < length; i++) {
            int v = pcm[off + i] + (int) Math.round(amplitude * Math.sin(phase));
            pcm[off + i] = (short) Math.clamp(v, Short.MIN_VALUE, Short.MAX_VALUE);
            phase += step;
        }
        phase %= 2 * Math.PI;
    }
}
