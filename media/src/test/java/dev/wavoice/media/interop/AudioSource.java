package dev.wavoice.media.interop;

/** What a {@link ChromiumPeer} sends. */
public sealed interface AudioSource {

    /**
     * The browser's fake capture device through {@code getUserMedia}: the WAV given to
     * {@link ChromiumBrowser.Config#fakeCaptureWav()} (looped), or Chromium's built-in beep without one.
     * Chromium takes the file from its command line, so every page of one browser captures the same file.
     */
    record FakeCapture() implements AudioSource {
    }

    /**
     * A sine tone made in the page with WebAudio ({@code OscillatorNode} into a
     * {@code MediaStreamDestination}): lets each page of one browser send its own frequency, chosen per test
     * without restarting Chromium.
     */
    record Tone(double frequencyHz, double amplitude) implements AudioSource {
        public Tone {
            if (!(frequencyHz > 0 && frequencyHz < 24_000)) {
                throw new IllegalArgumentException("tone frequency must be in (0, 24000) Hz: " + frequencyHz);
            }
            if (!(amplitude > 0 && amplitude <= 1)) {
                throw new IllegalArgumentException("amplitude must be in (0, 1]: " + amplitude);
            }
        }
    }

    static AudioSource fakeCapture() {
        return new FakeCapture();
    }

    static AudioSource tone(double frequencyHz) {
        return new Tone(frequencyHz, 0.5);
    }
}
