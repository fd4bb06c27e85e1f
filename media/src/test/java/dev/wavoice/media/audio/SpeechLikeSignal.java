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

    /**
     * Mean band spectral distortion in dB: per 20 ms frame with speech in it, the RMS over
     * third-octave bands from 100 Hz up to {@code topHz} of the level difference between decoded and
     * reference.
     * Unlike waveform SNR it does not punish the noise shaping and phase freedom a perceptual codec
     * uses on purpose, so it tracks what a listener hears more closely. Lower is better.
     */
    static double bandDistortion(short[] reference, short[] decoded, int maxDelay, double topHz) {
        return bandDistortion(reference, decoded, maxDelay, topHz, RATE);
    }

    /** {@link #bandDistortion(short[], short[], int, double)} of signals sampled at {@code sampleRate}. */
    static double bandDistortion(short[] reference, short[] decoded, int maxDelay, double topHz, int sampleRate) {
        int delay = bestDelay(reference, decoded, maxDelay);
        int size = Integer.highestOneBit(2048 * sampleRate / RATE); // the same 43 ms window at any rate
        int hop = sampleRate / 50;
        int bands = (int) Math.floor(3 * Math.log(topHz / 100) / Math.log(2) + 1e-9);
        double[] edges = new double[bands + 1];
        for (int b = 0; b <= bands; b++) {
            edges[b] = 100 * Math.pow(2, b / 3.0);
        }
        double total = 0;
        int counted = 0;
        for (int start = 0; start + size + delay <= decoded.length && start + size <= reference.length; start += hop) {
            if (Tones.rmsDbfs(reference, start, size) < -50) {
                continue;
            }
            double[] a = bandLevels(reference, start, size, edges, sampleRate);
            double[] b = bandLevels(decoded, start + delay, size, edges, sampleRate);
            double sum = 0;
            for (int k = 0; k < a.length; k++) {
                double d = a[k] - b[k];
                sum += d * d;
            }
            total += Math.sqrt(sum / a.length);
            counted++;
        }
        return counted == 0 ? Double.NaN : total / counted;
    }

    private static double[] bandLevels(short[] pcm, int off, int size, double[] edges, int sampleRate) {
        double[] re = new double[size];
        double[] im = new double[size];
        for (int i = 0; i < size; i++) {
            re[i] = pcm[off + i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / (size - 1)));
        }
        Tones.fft(re, im);
        double[] levels = new double[edges.length - 1];
        for (int band = 0; band < levels.length; band++) {
            int lo = (int) Math.ceil(edges[band] * size / sampleRate);
            int hi = Math.min(size / 2, (int) Math.floor(edges[band + 1] * size / sampleRate));
            double energy = 0;
            for (int k = lo; k <= hi; k++) {
                energy += re[k] * re[k] + im[k] * im[k];
            }
            // floor at -90 dB below full scale so empty bands compare as equal, not as -infinity
            levels[band] = 10 * Math.log10(energy + 1e3);
        }
        return levels;
    }
}
