package dev.wavoice.server.sim;

import dev.wavoice.media.audio.Tones;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The decoded audio coming back, judged in 100 ms windows: how many carry sound (above -45 dBFS), how many are
 * dominated by the tone the caller played (the tone's level within 3 dB of the window's whole level, a
 * Goertzel reading, cheap enough for many calls), and the dominant frequency of the first voiced windows (an
 * FFT, done for a few windows only). Optionally keeps everything for a WAV. Runs on the pacer thread.
 */
public final class HeardAudio {
    static final int WINDOW = 4_800;
    private static final double VOICED_DBFS = -45;

    private final double toneHz;
    private final int fftWindows;
    private final short[] window = new short[WINDOW];
    private int filled;
    private long windows;
    private long voiced;
    private long matched;
    private int toneReadings;
    private int otherReadings;
    private final List<Double> dominant = new ArrayList<>();
    private short[] recording;
    private int recorded;

    /**
     * @param toneHz     the tone to listen for, 0 for none
     * @param record     keep all audio for {@link #recording()}
     * @param fftWindows how many voiced windows get a dominant-frequency reading (an FFT each: a few for a bench
     *                   of many callers, more for a single call's report)
     */
    public HeardAudio(double toneHz, boolean record, int fftWindows) {
        this.toneHz = toneHz;
        this.fftWindows = fftWindows;
        this.recording = record ? new short[48_000 * 10] : null;
    }

    public synchronized void onPcm(short[] pcm, int off, int len) {
        if (recording != null) {
            if (recorded + len > recording.length) {
                recording = Arrays.copyOf(recording, Math.max(recording.length * 2, recorded + len));
            }
            System.arraycopy(pcm, off, recording, recorded, len);
            recorded += len;
        }
        while (len > 0) {
            int n = Math.min(len, WINDOW - filled);
            System.arraycopy(pcm, off, window, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == WINDOW) {
                judge();
                filled = 0;
            }
        }
    }

    private void judge() {
        windows++;
        double level = Tones.rmsDbfs(window, 0, WINDOW);
        if (level < VOICED_DBFS) {
            return;
        }
        voiced++;
        boolean tone = toneHz > 0 && level - Tones.levelAtDbfs(window, 0, WINDOW, toneHz, 48_000) < 3;
        if (tone) {
            matched++;
        }
        // FFT readings are rationed separately for tone windows and the rest (a chime, speech), so a few readings
        // still show both.
        if (tone ? toneReadings++ < fftWindows : otherReadings++ < fftWindows) {
            dominant.add(Tones.dominantFrequency(window, 0, WINDOW, 48_000));
        }
    }

    /** 100 ms windows with sound. */
    public synchronized long voicedWindows() {
        return voiced;
    }

    /** Voiced windows dominated by the played tone. */
    public synchronized long toneWindows() {
        return matched;
    }

    /**
     * The detected frequency: the median dominant frequency of the first voiced windows that lie near the tone
     * (within 3 %), else of all of them; NaN when nothing voiced came back.
     */
    public synchronized double detectedHz() {
        List<Double> pick = dominant.stream().filter(f -> toneHz > 0 && Math.abs(f - toneHz) <= toneHz * 0.03).toList();
        if (pick.isEmpty()) {
            pick = dominant;
        }
        if (pick.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = pick.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    /** Distinct dominant frequencies heard (rounded to 10 Hz), for a report. */
    public synchronized List<Long> frequenciesHeard() {
        return dominant.stream().map(f -> Math.round(f / 10) * 10).distinct().sorted().toList();
    }

    public synchronized short[] recording() {
        return recording == null ? new short[0] : Arrays.copyOf(recording, recorded);
    }
}
