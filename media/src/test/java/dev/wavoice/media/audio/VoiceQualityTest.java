package dev.wavoice.media.audio;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The complexity we default to must sound (by proxy) as good as the maximum: band spectral
 * distortion of a speech-like signal, 100 Hz .. 8 kHz, within half a dB of complexity 10.
 * {@link OpusBench} prints the whole curve with costs.
 */
class VoiceQualityTest {
    static List<OpusCodec> codecs() {
        return TestCodecs.both();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void recommendedComplexityIsWithinHalfADecibelOfTheMaximum(OpusCodec codec) {
        short[] speech = SpeechLikeSignal.generate(2.0, 11);
        double recommended = distortion(codec, OpusCodecs.RECOMMENDED_COMPLEXITY, speech);
        double maximum = distortion(codec, 10, speech);
        assertThat(recommended)
                .as("band distortion at complexity %d vs %.2f dB at 10", OpusCodecs.RECOMMENDED_COMPLEXITY, maximum)
                .isLessThan(maximum + 0.5)
                .isLessThan(4.5);
    }

    private static double distortion(OpusCodec codec, int complexity, short[] speech) {
        try (OpusEncoder encoder = codec.newEncoder(OpusCodecs.RECOMMENDED_BITRATE, complexity);
             OpusDecoder decoder = codec.newDecoder()) {
            short[] decoded = TestCodecs.roundTrip(encoder, decoder, speech);
            return SpeechLikeSignal.bandDistortion(speech, decoded, 2000, 8_000);
        }
    }
}
