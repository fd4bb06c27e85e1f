package dev.wavoice.media.audio;

/**
 * Streaming sample-rate conversion between 48 kHz (Opus) and 24, 16 or 8 kHz (what agents speak:
 * OpenAI Realtime wants 24 kHz). The ratios are integers (2, 3, 6), so this is a plain polyphase
 * FIR: decimation computes only the kept outputs, interpolation only the non-zero taps.
 *
 * <p>The low-pass is a Kaiser-windowed sinc designed for 65 dB stop-band from the low rate's
 * Nyquist frequency up, flat to 80 % of it (24 kHz: 9.6 kHz; 8 kHz: 3.2 kHz), so aliases and
 * images stay well below the 50 dB target with the fewest taps (80 for 48↔24 kHz). State (the last taps' worth of input)
 * carries across calls, so 20 ms frames join without clicks; after construction nothing allocates
 * unless a caller passes a frame longer than any before. One instance per stream; not thread-safe.
 */
public final class Resampler {
    private static final double PASS_EDGE = 0.80;
    private static final double STOP_ATTENUATION_DB = 65;

    private final int inRate;
    private final int outRate;
    private final int factor;
    private final boolean up;
    /** Decimation: the whole filter. Interpolation: phase p holds taps p, p+L, p+2L... times L, reversed. */
    private final float[][] phases;
    private final int tapsPerPhase;
    private float[] work;
    /** Decimation: samples to skip in the next call before the next kept output. */
    private int skip;

    private Resampler(int inRate, int outRate) {
        this.inRate = inRate;
        this.outRate = outRate;
        this.up = outRate > inRate;
        this.factor = up ? outRate / inRate : inRate / outRate;
        double[] h = lowPass(factor);
        if (up) {
            tapsPerPhase = h.length / factor;
            phases = new float[factor][tapsPerPhase];
            for (int p = 0; p < factor; p++) {
                for (int j = 0; j < tapsPerPhase; j++) {
                    phases[p][tapsPerPhase - 1 - j] = (float) (h[p + j * factor] * factor);
                }
            }
        } else {
            tapsPerPhase = h.length;
            phases = new float[1][h.length];
            for (int k = 0; k < h.length; k++) {
                phases[0][k] = (float) h[k];
            }
        }
        work = new float[tapsPerPhase - 1 + 960];
    }

    /**
     * A resampler from {@code inRate} to {@code outRate}: one of them 48000, the other 48000, 24000,
     * 16000 or 8000. Throws {@link IllegalArgumentException} for other pairs (a config error).
     */
    public static Resampler create(int inRate, int outRate) {
        int low = Math.min(inRate, outRate);
        if (Math.max(inRate, outRate) != 48_000 || (low != 48_000 && low != 24_000 && low != 16_000 && low != 8_000)) {
            throw new IllegalArgumentException("resampling " + inRate + " Hz to " + outRate
                    + " Hz is not supported: one side must be 48000, the other 48000, 24000, 16000 or 8000");
        }
        return new Resampler(inRate, outRate);
    }

    public int inRate() {
        return inRate;
    }

    public int outRate() {
        return outRate;
    }

    /** Most output samples {@code process} can write for {@code inLength} input samples. */
    public int maxOutput(int inLength) {
        return up ? inLength * factor : inLength / factor + 1;
    }

    /** Delay the filter adds, in output samples (about 1 ms). */
    public int delay() {
        int filterLength = up ? tapsPerPhase * factor : tapsPerPhase;
        return up ? (filterLength - 1) / 2 : (filterLength - 1) / 2 / factor;
    }

    /**
     * Converts {@code inLength} samples and returns how many were written to {@code out} at
     * {@code outOff}: exactly {@code inLength * L} up, and {@code inLength / M} down when frames are
     * multiples of M (20 ms frames always are).
     */
    public int process(short[] in, int inOff, int inLength, short[] out, int outOff) {
        if (factor == 1) {
            System.arraycopy(in, inOff, out, outOff, inLength);
            return inLength;
        }
        int history = tapsPerPhase - 1;
        if (work.length < history + inLength) {
            float[] grown = new float[history + inLength];
            System.arraycopy(work, 0, grown, 0, history);
            work = grown;
        }
        float[] w = work;
        for (int i = 0; i < inLength; i++) {
            w[history + i] = in[inOff + i];
        }
        int written = up ? interpolate(inLength, out, outOff) : decimate(inLength, out, outOff);
        System.arraycopy(w, inLength, w, 0, history);
        return written;
    }

    /** Forgets the signal so far, as if just created. */
    public void reset() {
        java.util.Arrays.fill(work, 0f);
        skip = 0;
    }

    private int decimate(int inLength, short[] out, int outOff) {
        float[] h = phases[0];
        float[] w = work;
        int taps = tapsPerPhase;
        int end = taps - 1 + inLength;
        int o = outOff;
        int newest = taps - 1 + skip;
        for (; newest < end; newest += factor) {
            out[o++] = clamp(symmetricDot(h, w, newest - taps + 1, taps));
        }
        skip = newest - end;
        return o - outOff;
    }

    private int interpolate(int inLength, short[] out, int outOff) {
        float[] w = work;
        int taps = tapsPerPhase;
        int o = outOff;
        for (int i = 0; i < inLength; i++) {
            // w[i + taps - 1] is the newest input sample; phases are stored time-reversed so the
            // inner loop runs forward over both arrays
            int p = 0;
            for (; p + 1 < factor; p += 2) {
                pairDot(phases[p], phases[p + 1], w, i, taps, out, o);
                o += 2;
            }
            if (p < factor) {
                out[o++] = clamp(dot(phases[p], w, i, taps));
            }
        }
        return o - outOff;
    }

    /**
     * h · w[from ..]: four partial sums, because a single accumulator makes every multiply-add wait
     * for the previous one (the JIT may not reorder float additions), which costs about 3x here.
     */
    private static float dot(float[] h, float[] w, int from, int taps) {
        float a0 = 0;
        float a1 = 0;
        float a2 = 0;
        float a3 = 0;
        int k = 0;
        for (; k + 3 < taps; k += 4) {
            a0 += h[k] * w[from + k];
            a1 += h[k + 1] * w[from + k + 1];
            a2 += h[k + 2] * w[from + k + 2];
            a3 += h[k + 3] * w[from + k + 3];
        }
        for (; k < taps; k++) {
            a0 += h[k] * w[from + k];
        }
        return (a0 + a1) + (a2 + a3);
    }

    /**
     * Like {@link #dot} for a linear-phase (symmetric) filter: samples that share a coefficient are
     * added first, halving the multiplies.
     */
    private static float symmetricDot(float[] h, float[] w, int from, int taps) {
        int half = taps / 2;
        int last = from + taps - 1;
        float a0 = 0;
        float a1 = 0;
        int k = 0;
        for (; k + 1 < half; k += 2) {
            a0 += h[k] * (w[from + k] + w[last - k]);
            a1 += h[k + 1] * (w[from + k + 1] + w[last - k - 1]);
        }
        for (; k < half; k++) {
            a0 += h[k] * (w[from + k] + w[last - k]);
        }
        if ((taps & 1) != 0) {
            a0 += h[half] * w[from + half];
        }
        return a0 + a1;
    }

    /** Two interpolation phases over the same input window: one pass over w feeds both outputs. */
    private static void pairDot(float[] h0, float[] h1, float[] w, int from, int taps, short[] out, int o) {
        float a0 = 0;
        float a1 = 0;
        float b0 = 0;
        float b1 = 0;
        int k = 0;
        for (; k + 1 < taps; k += 2) {
            float x0 = w[from + k];
            float x1 = w[from + k + 1];
            a0 += h0[k] * x0;
            a1 += h0[k + 1] * x1;
            b0 += h1[k] * x0;
            b1 += h1[k + 1] * x1;
        }
        for (; k < taps; k++) {
            a0 += h0[k] * w[from + k];
            b0 += h1[k] * w[from + k];
        }
        out[o] = clamp(a0 + a1);
        out[o + 1] = clamp(b0 + b1);
    }

    private static short clamp(float v) {
        int r = Math.round(v);
        return (short) Math.clamp(r, Short.MIN_VALUE, Short.MAX_VALUE);
    }

    /**
     * Kaiser-windowed sinc low-pass at 48 kHz for the low rate 48000/factor, unity DC gain, length a
     * multiple of factor. Cut-off halfway between the pass edge and Nyquist, so the stop band starts
     * at the low rate's Nyquist frequency.
     */
    static double[] lowPass(int factor) {
        double nyquist = 0.5 / factor; // cycles per 48 kHz sample
        double passEdge = PASS_EDGE * nyquist;
        double transition = nyquist - passEdge;
        double cutoff = (passEdge + nyquist) / 2;
        // Kaiser's estimates for length and beta (Oppenheim & Schafer 7.6)
        double a = STOP_ATTENUATION_DB;
        int length = (int) Math.ceil((a - 8) / (2.285 * 2 * Math.PI * transition)) + 1;
        length = (length + factor - 1) / factor * factor;
        double beta = 0.1102 * (a - 8.7);
        double[] h = new double[length];
        double mid = (length - 1) / 2.0;
        double sum = 0;
        for (int n = 0; n < length; n++) {
            double t = n - mid;
            double sinc = t == 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double r = t / mid;
            double window = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / besselI0(beta);
            h[n] = sinc * window;
            sum += h[n];
        }
        for (int n = 0; n < length; n++) {
            h[n] /= sum;
        }
        return h;
    }

    private static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        for (int k = 1; k < 50; k++) {
            term *= (x / (2 * k)) * (x / (2 * k));
            sum += term;
            if (term < sum * 1e-12) {
                break;
            }
        }
        return sum;
    }
}
