package dev.wavoice.media.audio;

import java.util.Random;

/**
 * A deterministic stand-in for a voice, for codec quality checks: a glottal-like harmonic series
 * (pitch gliding 100..220 Hz) shaped by three formant resonances that move per "syllable", under a
 * 4 Hz syllable envelope, plus a little breath noise. Not speech, but it exercises SILK's pitch and
 * LPC analysis the way speech does, which a pure tone does not.
 */
final class SpeechLikeSignal {
    private static final int RATE = 48_000;

    private SpeechLikeSignal() {
    }

    /** {@code seconds} of signal at 48 kHz, peaking near -6 dBFS. */
    static short[] generate(double seconds, long seed) {
        Random random = new Random(seed);
        int n = (int) (seconds * RATE);
        double[] out = new double[n];
        double phase = 0;
        double[][] vowels = {{700, 1200, 2600}, {300, 2300, 3000}, {500, 900, 2400}, {400, 1900, 2550}};
        for (int i = 0; i < n; i++) {
            double t = (double) i / RATE;
            double pitch = 160 + 60 * Math.sin(2 * Math.PI * 0.7 * t) * Math.sin(2 * Math.PI * 0.23 * t);
            phase += 2 * Math.PI * pitch / RATE;
            int syllable = (int) (t * 4);
            double[] formants = vowels[syllable % vowels.length];
            double envelope = Math.pow(Math.sin(Math.PI * ((t * 4) % 1.0)), 2);
            double sample = 0;
            for (int h = 1; pitch * h < 7000; h++) {
                double f = pitch * h;
                double gain = 0;
                for (int k = 0; k < 3; k++) {
                    double bandwidth = 80 + 40 * k;
                    double d = (f - formants[k]) / bandwidth;
                    gain += (1.0 / (k + 1)) / (1 + d * d);
                }
                sample += gain / Math.sqrt(h) * Math.sin(h * phase);
            }
            out[i] = envelope * sample + 0.01 * random.nextGaussian();
        }
        double peak = 1e-9;
        for (double v : out) {
            peak = Math.max(peak, Math.abs(v));
        }
        short[] pcm = new short[n];
        for (int i = 0; i < n; i++) {
            pcm[i] = (short) Math.round(out[i] / peak * 16_000);
        }
        return pcm;
    }

    /**
     * Segmental SNR in dB of {@code decoded} against {@code reference}, after shifting by the delay
     * (0..maxDelay samples) that best aligns them: the mean over 20 ms segments with energy, each
     * clamped to [-10, 35] dB as is usual, so silence and one bad segment do not dominate.
     */
    static double segmentalSnr(short[] reference, short[] decoded, int maxDelay) {
        int delay = bestDelay(reference, decoded, maxDelay);
        int segment = 960;
        double total = 0;
        int counted = 0;
        for (int start = 0; start + segment + delay <= decoded.length && start + segment <= reference.length;
             start += segment) {
            double signal = 0;
            double noise = 0;
            for (int i = start; i < start + segment; i++) {
                double r = reference[i];
                double e = decoded[i + delay] - r;
                signal += r * r;
                noise += e * e;
            }
            if (signal < segment * 100.0 * 100.0) {
                continue; // quieter than -50 dBFS: a pause, not a segment to grade
            }
            total += Math.clamp(10 * Math.log10(signal / Math.max(noise, 1e-9)), -10, 35);
            counted++;
        }
        return counted == 0 ? Double.NaN : total / counted;
    }

    /** The shift of {@code b} against {@code a} (0..maxDelay) with the highest cross-correlation. */
    static int bestDelay(short[] a, short[] b, int maxDelay) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        int length = Math.min(a.length, b.length) - maxDelay;
        for (int d = 0; d <= maxDelay; d++) {
            double score = 0;
            for (int i = 0; i < length; i += 2) {
                score += (double) a[i] * b[i + d];
            }
            if (score > bestScore) {
                bestScore = score;
                best = d;
            }
        }
        return best;
    }

    /** Normalised correlation of two equal-length stretches (1 = identical shape). */
    static double correlation(short[] a, int aOff, short[] b, int bOff, int length) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < length; i++) {
            ab += (double) a[aOff + i] * b[bOff + i];
            aa += (double) a[aOff + i] * a[aOff + i];
            bb += (double) b[bOff + i] * b[bOff + i];
        }
        return aa == 0 || bb == 0 ? 0 : ab / Math.sqrt(aa * bb);
    }
}
