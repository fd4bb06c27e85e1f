package dev.wavoice.media.interop;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusCodecs;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * What test peers say and how what they heard is judged, for the media and server tests alike: tones encoded
 * here as Opus (the Pion peer and the OpenAI stand-in cannot encode: Debian's Go has no Opus encoder), written
 * as {@link OpusStreamFile}s, and recordings decoded back to 48 kHz PCM to be measured by frequency with
 * {@link Tones}. A tone proves audio went through where "some bytes arrived" would not.
 */
public final class TestAudio {
    /** The codec the tests encode and decode with: libopus if it loads, else Concentus. */
    public static final OpusCodec CODEC = OpusCodecs.best().codec();
    /** Opus on the wire: 48 kHz, 20 ms frames. */
    public static final int RATE = 48_000, FRAME = 960;
    /** The payload type the Pion peer records Opus under. */
    public static final int OPUS_PT = 111;

    private TestAudio() {
    }

    // ---- picking tones -------------------------------------------------------------------------

    /** A whole number of hertz in {@code [fromHz, toHz)}, picked per run so a test cannot pass by a stale tone. */
    public static double randomTone(int fromHz, int toHz) {
        return fromHz + ThreadLocalRandom.current().nextInt(toHz - fromHz);
    }

    /** A tone at least 150 Hz away from {@code hz}, so that the two cannot be mistaken. */
    public static double otherTone(double hz) {
        double up = hz + 150 + ThreadLocalRandom.current().nextInt(200);
        return up <= 1000 ? up : hz - 150 - ThreadLocalRandom.current().nextInt(100);
    }

    // ---- saying tones --------------------------------------------------------------------------

    /** {@code frames} 20 ms Opus frames of the tone. */
    public static List<byte[]> toneFrames(double hz, int frames) {
        return encode(hz, 0, 0, frames);
    }

    /** Silence and the tone by turns, {@code frames} 20 ms Opus frames each (silence first). */
    public static List<byte[]> alternatingFrames(double hz, int... frames) {
        return encode(hz, 0, frames);
    }

    /** {@link #toneFrames} with in-band FEC on (10 % expected loss): a lost frame can be recovered from the next. */
    public static List<byte[]> toneFramesWithFec(double hz, int frames) {
        return encode(hz, 10, 0, frames);
    }

    /** A file of {@link #toneFrames} in {@code dir}, for a peer to send. */
    public static Path toneFile(Path dir, double hz, int frames) {
        return write(dir, "tone", hz, toneFrames(hz, frames), frames);
    }

    /** A file of {@link #toneFramesWithFec} in {@code dir}, for a peer to send. */
    public static Path toneFileWithFec(Path dir, double hz, int frames) {
        return write(dir, "tone-fec", hz, toneFramesWithFec(hz, frames), frames);
    }

    /** {@code frames} 20 ms Opus frames of digital silence, for a peer that must send but say nothing. */
    public static Path silenceFile(Path dir, int frames) {
        return write(dir, "silence", 0, encode(0, 0, frames), frames);
    }

    /** Silence, then a tone, then silence: a caller saying one thing and waiting for the answer. */
    public static Path toneBetweenSilences(Path dir, double hz, int leadFrames, int toneFrames, int tailFrames) {
        return alternating(dir, hz, leadFrames, toneFrames, tailFrames);
    }

    /** A file of {@link #alternatingFrames} in {@code dir}: a caller talking several times. */
    public static Path alternating(Path dir, double hz, int... frames) {
        return write(dir, "alternating", hz, alternatingFrames(hz, frames), frames);
    }

    /** Segments of {@code frames} 20 ms frames, silence at even indexes and the tone at odd ones, one encoder. */
    private static List<byte[]> encode(double hz, int fecLossPercent, int... frames) {
        List<byte[]> packets = new ArrayList<>();
        try (OpusEncoder enc = CODEC.newEncoder(32_000, 5)) {
            if (fecLossPercent > 0) {
                enc.setInbandFec(true, fecLossPercent);
            }
            SineGenerator sine = hz > 0 ? new SineGenerator(hz, RATE, 0.4) : null; // none for silence alone
            short[] pcm = new short[FRAME];
            byte[] out = new byte[1275];
            for (int segment = 0; segment < frames.length; segment++) {
                for (int i = 0; i < frames[segment]; i++) {
                    if (segment % 2 == 1) {
                        sine.fill(pcm, 0, FRAME);
                    } else {
                        Arrays.fill(pcm, (short) 0);
                    }
                    int n = enc.encode(pcm, 0, FRAME, out, 0, out.length);
                    packets.add(Arrays.copyOf(out, n));
                }
            }
        }
        return packets;
    }

    /** Names the file after everything that made it, so two different contents never share a name in a dir. */
    private static Path write(Path dir, String kind, double hz, List<byte[]> packets, int... frames) {
        String hzName = hz == 0 ? "" : (hz == Math.rint(hz) ? Long.toString((long) hz) : Double.toString(hz)) + "hz-";
        String segments = Arrays.stream(frames).mapToObj(Integer::toString).collect(Collectors.joining("-"));
        Path file = dir.resolve(kind + "-" + hzName + segments + ".opus");
        OpusStreamFile.write(file, packets);
        return file;
    }

    // ---- judging what was heard ----------------------------------------------------------------

    /**
     * The Opus packets a peer recorded, decoded in sequence order to 48 kHz PCM; other payload types (DTMF) are
     * left out and a packet that fails to decode adds nothing.
     */
    public static short[] decode(List<RecordedPacket> packets) {
        List<RecordedPacket> sorted = new ArrayList<>(packets);
        sorted.sort(Comparator.comparingInt(RecordedPacket::sequence));
        return decodePayloads(sorted.stream().filter(p -> p.payloadType() == OPUS_PT).map(RecordedPacket::payload)
                .toList());
    }

    /** Opus payloads decoded in the order given to 48 kHz PCM; a payload that fails to decode adds nothing. */
    public static short[] decodePayloads(List<byte[]> payloads) {
        short[] out = new short[payloads.size() * FRAME + FRAME];
        int n = 0;
        try (OpusDecoder dec = CODEC.newDecoder()) {
            for (byte[] p : payloads) {
                n += Math.max(0, dec.decode(p, 0, p.length, out, n, FRAME, false));
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The dominant frequency of the middle half of 48 kHz PCM (away from the start and the end of a tone). */
    public static double middleHalfHz(short[] pcm) {
        return Tones.dominantFrequency(pcm, pcm.length / 4, pcm.length / 2, RATE);
    }

    /** How many 100 ms windows of {@code pcm} (48 kHz) are dominated by {@code hz} (within 2 %) and audible. */
    public static int windowsAt(short[] pcm, double hz) {
        int window = RATE / 10, count = 0;
        for (int off = 0; off + window <= pcm.length; off += window) {
            if (Tones.rmsDbfs(pcm, off, window) > -40
                    && Math.abs(Tones.dominantFrequency(pcm, off, window, RATE) - hz) < hz * 0.02) {
                count++;
            }
        }
        return count;
    }
}
