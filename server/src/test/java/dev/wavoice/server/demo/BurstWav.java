package dev.wavoice.server.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A tone burst and silence, as a 48 kHz mono 16-bit WAV for Chromium's fake microphone (which loops it from the
 * start each time a page opens the microphone): a caller who speaks, then pauses, so a turn-taking agent hears the
 * end of each utterance. With {@code silenceFirst} the caller listens before speaking, so what the agent says the
 * moment the call is up (its greeting) is not talked over.
 */
record BurstWav(double frequencyHz, Duration tone, Duration silence, double amplitude, boolean silenceFirst) {
    static final int SAMPLE_RATE = 48_000;

    Path writeTo(Path file) {
        int toneSamples = (int) (SAMPLE_RATE * tone.toNanos() / 1_000_000_000L);
        int silenceSamples = (int) (SAMPLE_RATE * silence.toNanos() / 1_000_000_000L);
        int fade = SAMPLE_RATE / 100; // 10 ms ramps: no clicks smearing the spectrum at the burst edges
        int samples = toneSamples + silenceSamples;
        ByteBuffer buf = ByteBuffer.allocate(44 + 2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        buf.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * samples)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(SAMPLE_RATE).putInt(SAMPLE_RATE * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * samples);
        double step = 2 * Math.PI * frequencyHz / SAMPLE_RATE;
        for (int n = 0; n < samples; n++) {
            int i = silenceFirst ? (n + toneSamples) % samples : n; // the same loop, started at its pause
            double gain = i >= toneSamples ? 0 : Math.min(1, Math.min(i, toneSamples - i) / (double) fade);
            buf.putShort((short) Math.round(amplitude * gain * Short.MAX_VALUE * Math.sin(step * i)));
        }
        try {
            Files.write(file, buf.array());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
