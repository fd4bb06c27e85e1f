package dev.wavoice.media.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/** Both codecs through the same contract: tones survive, loss is repaired, bad input is counted. */
class OpusCodecTest {
    private static final int FRAME = 960;

    static List<OpusCodec> codecs() {
        return TestCodecs.both();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void aToneKeepsItsFrequencyAndLevel(OpusCodec codec) {
        double frequency = 300 + new Random().nextInt(1500);
        short[] pcm = tone(frequency, 0.5, FRAME * 25);
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5); OpusDecoder decoder = codec.newDecoder()) {
            short[] decoded = TestCodecs.roundTrip(encoder, decoder, pcm);
            int settled = FRAME * 5;
            assertThat(Tones.dominantFrequency(decoded, settled, decoded.length - settled, 48_000))
                    .as("decoded frequency of a %.0f Hz tone", frequency)
                    .isCloseTo(frequency, withinPercentage(2));
            assertThat(Tones.rmsDbfs(decoded, settled, decoded.length - settled))
                    .isCloseTo(Tones.rmsDbfs(pcm, settled, pcm.length - settled), org.assertj.core.data.Offset.offset(3.0));
        }
    }

    @Test
    void concentusAndLibopusUnderstandEachOther() {
        OpusCodec java = TestCodecs.concentus();
        OpusCodec natively = TestCodecs.libopus();
        short[] pcm = tone(523, 0.4, FRAME * 20);
        for (OpusCodec[] pair : new OpusCodec[][] {{java, natively}, {natively, java}}) {
            try (OpusEncoder encoder = pair[0].newEncoder(24_000, 5); OpusDecoder decoder = pair[1].newDecoder()) {
                short[] decoded = TestCodecs.roundTrip(encoder, decoder, pcm);
                assertThat(Tones.dominantFrequency(decoded, FRAME * 5, FRAME * 15, 48_000))
                        .as("%s encodes, %s decodes", pair[0].name(), pair[1].name())
                        .isCloseTo(523, withinPercentage(2));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void inBandFecRecoversALostFrameBetterThanConcealment(OpusCodec codec) {
        short[] speech = SpeechLikeSignal.generate(1.2, 7);
        int frames = speech.length / FRAME;
        byte[][] packets = new byte[frames][];
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5)) {
            encoder.setInbandFec(true, 20);
            byte[] buf = new byte[1500];
            for (int f = 0; f < frames; f++) {
                int n = encoder.encode(speech, f * FRAME, FRAME, buf, 0, buf.length);
                assertThat(n).isPositive();
                packets[f] = java.util.Arrays.copyOf(buf, n);
            }
        }
        short[] clean = decodeAll(codec, packets, -1, Recovery.NONE);
        // a loud, voiced frame (the syllable envelope peaks every 250 ms)
        int lost = 30;
        short[] withFec = decodeAll(codec, packets, lost, Recovery.FEC);
        short[] withPlc = decodeAll(codec, packets, lost, Recovery.PLC);
        int at = lost * FRAME;
        double fecCorrelation = SpeechLikeSignal.correlation(clean, at, withFec, at, FRAME);
        double plcCorrelation = SpeechLikeSignal.correlation(clean, at, withPlc, at, FRAME);
        assertThat(Tones.rmsDbfs(withFec, at, FRAME)).as("FEC frame level").isGreaterThan(-40);
        assertThat(fecCorrelation).as("FEC %.3f vs PLC %.3f", fecCorrelation, plcCorrelation)
                .isGreaterThan(plcCorrelation).isGreaterThan(0.5);
    }

    private enum Recovery { NONE, FEC, PLC }

    private static short[] decodeAll(OpusCodec codec, byte[][] packets, int lost, Recovery recovery) {
        short[] out = new short[packets.length * FRAME];
        try (OpusDecoder decoder = codec.newDecoder()) {
            for (int f = 0; f < packets.length; f++) {
                int n;
                if (f == lost && recovery == Recovery.FEC) {
                    // the lost frame's redundancy rides in the next packet
                    n = decoder.decode(packets[f + 1], 0, packets[f + 1].length, out, f * FRAME, FRAME, true);
                } else if (f == lost) {
                    n = decoder.conceal(out, f * FRAME, FRAME);
                } else {
                    n = decoder.decode(packets[f], 0, packets[f].length, out, f * FRAME, FRAME, false);
                }
                assertThat(n).as("frame %d", f).isEqualTo(FRAME);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void concealmentFillsOneFrameAndContinuesTheSignal(OpusCodec codec) {
        short[] pcm = tone(440, 0.5, FRAME * 10);
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5); OpusDecoder decoder = codec.newDecoder()) {
            TestCodecs.roundTrip(encoder, decoder, pcm);
            short[] concealed = new short[FRAME];
            assertThat(decoder.conceal(concealed, 0, FRAME)).isEqualTo(FRAME);
            assertThat(Tones.rmsDbfs(concealed, 0, FRAME)).as("PLC continues the tone").isGreaterThan(-30);
            assertThat(decoder.conceal(new short[480], 0, 480)).isEqualTo(480);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void corruptPacketsReturnMinusOneAndAreNeverThrown(OpusCodec codec) {
        try (OpusDecoder decoder = codec.newDecoder()) {
            short[] pcm = new short[FRAME];
            byte[][] invalid = {
                    {},                                  // empty
                    {0x03, 0x00},                        // code 3 with zero frames
                    {0x01, 0x11},                        // code 1 needs an even payload
                    {0x03, (byte) 0x3f},                 // 63 frames: far past 120 ms
                    {(byte) 0x1b, 0x02, 0x01, 0x02},     // 60 ms packet into a 20 ms buffer
            };
            for (byte[] packet : invalid) {
                assertThat(decoder.decode(packet, 0, packet.length, pcm, 0, FRAME, false))
                        .as("packet %s", java.util.HexFormat.of().formatHex(packet)).isEqualTo(-1);
            }
            assertThat(decoder.decode(new byte[10], 5, 20, pcm, 0, FRAME, false)).as("slice past the array").isEqualTo(-1);
            Random random = new Random(42);
            byte[] garbage = new byte[200];
            for (int i = 0; i < 2000; i++) {
                random.nextBytes(garbage);
                int n = decoder.decode(garbage, 0, 1 + random.nextInt(garbage.length), pcm, 0, FRAME, random.nextBoolean());
                assertThat(n).isBetween(-1, FRAME);
            }
            // after all that the decoder still works
            assertThat(decoder.conceal(pcm, 0, FRAME)).isEqualTo(FRAME);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void dtxSendsTinyPacketsDuringSilence(OpusCodec codec) {
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5)) {
            encoder.setDtx(true);
            short[] silence = new short[FRAME];
            byte[] packet = new byte[1500];
            int tiny = 0;
            for (int f = 0; f < 100; f++) {
                int n = encoder.encode(silence, 0, FRAME, packet, 0, packet.length);
                assertThat(n).isPositive();
                if (f >= 20 && n <= 2) {
                    tiny++;
                }
            }
            assertThat(tiny).as("tiny packets among the last 80 silent frames").isGreaterThan(60);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void encodeRejectsBadArgumentsWithMinusOne(OpusCodec codec) {
        try (OpusEncoder encoder = codec.newEncoder(32_000, 5)) {
            byte[] packet = new byte[1500];
            assertThat(encoder.encode(new short[FRAME], 0, 1000, packet, 0, packet.length)).as("not an Opus frame size").isEqualTo(-1);
            assertThat(encoder.encode(new short[100], 0, FRAME, packet, 0, packet.length)).as("short input").isEqualTo(-1);
            assertThat(encoder.encode(new short[FRAME], 0, FRAME, packet, 0, packet.length)).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void atTheAgentsRateAToneKeepsItsFrequencyAndLevelAndLossIsConcealed(OpusCodec codec) {
        int rate = 24_000;
        int frame = rate / 50;
        int decodeRate = codec.decodeRateFor(rate);
        int decodedFrame = decodeRate / 50;
        short[] pcm = new short[frame * 25];
        new SineGenerator(440, rate, 0.5).fill(pcm, 0, pcm.length);
        short[] decoded = new short[decodedFrame * 26];
        byte[] packet = new byte[1500];
        try (OpusEncoder encoder = codec.newEncoder(rate, 32_000, 5); OpusDecoder decoder = codec.newDecoder(decodeRate)) {
            for (int f = 0; f < 25; f++) {
                int bytes = encoder.encode(pcm, f * frame, frame, packet, 0, packet.length);
                assertThat(decoder.decode(packet, 0, bytes, decoded, f * decodedFrame, decodedFrame, false))
                        .isEqualTo(decodedFrame);
            }
            assertThat(decoder.conceal(decoded, 25 * decodedFrame, decodedFrame)).isEqualTo(decodedFrame);
        }
        int settled = decodedFrame * 5;
        assertThat(Tones.dominantFrequency(decoded, settled, decodedFrame * 20, decodeRate)).isCloseTo(440, withinPercentage(2));
        assertThat(Tones.rmsDbfs(decoded, settled, decodedFrame * 20))
                .isCloseTo(Tones.rmsDbfs(pcm, frame * 5, frame * 20), org.assertj.core.data.Offset.offset(3.0));
    }

    /**
     * What WhatsApp and browsers send for speech at 32 kbit/s is hybrid (SILK + CELT) super-wideband: at the rate
     * the codec says it decodes a 24 kHz application's audio, those packets keep their level. (Concentus 1.0.2
     * decodes them to near silence at 24 kHz, so it answers 48 kHz.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void hybridPacketsKeepTheirLevelAtTheRateTheCodecDecodesFor24kHz(OpusCodec codec) {
        short[] speech = SpeechLikeSignal.generate(1.0, 5);
        int decodeRate = codec.decodeRateFor(24_000);
        int decodedFrame = decodeRate / 50;
        short[] decoded = new short[speech.length / FRAME * decodedFrame];
        short[] reference = new short[decoded.length];
        byte[] packet = new byte[1500];
        try (OpusEncoder encoder = TestCodecs.libopus().newEncoder(32_000, 5);
             OpusDecoder decoder = codec.newDecoder(decodeRate);
             OpusDecoder libopus = TestCodecs.libopus().newDecoder(decodeRate)) {
            encoder.setMaxBandwidth(OpusBandwidth.SUPER_WIDE);
            for (int f = 0; f + 1 <= speech.length / FRAME; f++) {
                int bytes = encoder.encode(speech, f * FRAME, FRAME, packet, 0, packet.length);
                decoder.decode(packet, 0, bytes, decoded, f * decodedFrame, decodedFrame, false);
                libopus.decode(packet, 0, bytes, reference, f * decodedFrame, decodedFrame, false);
            }
        }
        assertThat(Tones.rmsDbfs(decoded, 0, decoded.length))
                .as("%s decoding at %d Hz", codec.name(), decodeRate)
                .isCloseTo(Tones.rmsDbfs(reference, 0, reference.length), org.assertj.core.data.Offset.offset(1.0));
    }

    static short[] tone(double frequency, double amplitude, int samples) {
        short[] pcm = new short[samples];
        new SineGenerator(frequency, 48_000, amplitude).fill(pcm, 0, samples);
        return pcm;
    }
}
