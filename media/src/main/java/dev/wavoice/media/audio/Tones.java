package dev.wavoice.media.audio;

/**
 * Measuring audio by ear, for tests and the demo: the level of a signal, the level at one
 * frequency (Goertzel) and the dominant frequency (windowed FFT with interpolation, ±0.5 % on a
 * clean tone of a few hundred milliseconds). Proof that a tone went through is its frequency, not
 * "some bytes arrived".
 */
public final class Tones {
    /** Level reported for digital silence, instead of minus infinity. */
    public static final double SILENCE_DBFS = -120;

    private Tones() {
    }

    /** RMS level in dBFS (a full-scale sine is about -3 dBFS). */
    public static double rmsDbfs(short[] pcm, int off, int length) {
        if (length <= 0) {
            return SILENCE_DBFS;
        }
        double sum = 0;
        for (int i = 0; i < length; i++) {
            double s = pcm[off + i];
            sum += s * s;
        }
        double rms = Math.sqrt(sum / length) / 32768.0;
        return rms <= 0 ? SILENCE_DBFS : Math.max(SILENCE_DBFS, 20 * Math.log10(rms));
    }

    /**
     * Level of the component at {@code frequency} in dBFS RMS (so it compares with {@link #rmsDbfs}:
     * a pure tone reads the same on both). Hann-windowed Goertzel, so a strong tone elsewhere leaks
     * little into this reading.
     */
    public static double levelAtDbfs(short[] pcm, int off, int length, double frequency, int sampleRate) {
        double w = 2 * Math.PI * frequency / sampleRate;
        double coeff = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        double windowSum = 0;
        for (int i = 0; i < length; i++) {
            double window = hann(i, length);
            windowSum += window;
            double s0 = pcm[off + i] * window + coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double real = s1 - s2 * Math.cos(w);
        double imag = s2 * Math.sin(w);
        double amplitude = 2 * Math.hypot(real, imag) / windowSum; // peak amplitude of the component
        double rms = amplitude / Math.sqrt(2) / 32768.0;
        return rms <= 0 ? SILENCE_DBFS : Math.max(SILENCE_DBFS, 20 * Math.log10(rms));
    }

    /**
     * The frequency with the most energy, in hertz, between {@code minHz} and {@code maxHz}:
     * Hann window, FFT zero-padded to at least 4x the input, then a parabola through the log
     * magnitudes around the peak.
     */
    public static double dominantFrequency(short[] pcm, int off, int length, int sampleRate,
                                           double minHz, double maxHz) {
        int size = Integer.highestOneBit(Math.max(length, 1)) << 3;
        double[] re = new double[size];
        double[] im = new double[size];
        for (int i = 0; i < length; i++) {
            re[i] = pcm[off + i] * hann(i, length);
        }
        fft(re, im);
        int lo = Math.max(1, (int) Math.floor(minHz * size / sampleRate));
        int hi = Math.min(size / 2 - 1, (int) Math.ceil(maxHz * size / sampleRate));
        int peak = lo;
        double best = -1;
        for (int k = lo; k <= hi; k++) {
            double m = re[k] * re[k] + im[k] * im[k];
            if (m > best) {
                best = m;
                peak = k;
            }
        }
        double a = logMagnitude(re, im, peak - 1);
        double b = logMagnitude(re, im, peak);
        double c = logMagnitude(re, im, peak + 1);
        double denominator = a - 2 * b + c;
        double shift = denominator == 0 ? 0 : 0.5 * (a - c) / denominator;
        return (peak + Math.clamp(shift, -0.5, 0.5)) * sampleRate / size;
    }

    /** {@link #dominantFrequency(short[], int, int, int, double, double)} over 20 Hz .. Nyquist. */
    public static double dominantFrequency(short[] pcm, int off, int length, int sampleRate) {
        return dominantFrequency(pcm, off, length, sampleRate, 20, sampleRate / 2.0);
    }

    private static double logMagnitude(double[] re, double[] im, int k) {
        return 0.5 * Math.log(re[k] * re[k] + im[k] * im[k] + 1e-30);
    }

    private static double hann(int i, int length) {
        return length <= 1 ? 1 : 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (length - 1));
    }

    /** In-place iterative radix-2 FFT; {@code re.length} must be a power of two. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = -2 * Math.PI / len;
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double tr = re[b] * cr - im[b] * ci;
                    double ti = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                    double next = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = next;
                }
            }
        }
    }
}
