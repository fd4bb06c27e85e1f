package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.server.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WAVOICE_OPUS: the pure-Java codec on request (no native library at all), a typo refused at startup. */
class OpusChoiceTest {

    @Test
    void javaNeedsNoNativeLibraryAndCarriesATone() {
        var selection = CallMediaFactory.opus(Map.of(CallMediaFactory.OPUS_ENV, "java"));
        assertThat(selection.reason()).startsWith("concentus: configured");
        short[] tone = new short[960 * 10];
        new SineGenerator(700, 48_000, 0.4).fill(tone, 0, tone.length);
        short[] back = new short[tone.length];
        byte[] packet = new byte[1275];
        try (OpusEncoder enc = selection.codec().newEncoder(32_000, 5); OpusDecoder dec = selection.codec().newDecoder()) {
            for (int off = 0; off < tone.length; off += 960) {
                int n = enc.encode(tone, off, 960, packet, 0, packet.length);
                dec.decode(packet, 0, n, back, off, 960, false);
            }
        }
        assertThat(Tones.dominantFrequency(back, 4_800, 4_800, 48_000)).isCloseTo(700, org.assertj.core.data.Offset.offset(14.0));
    }

    @Test
    void unsetIsAutoAndATypoIsAConfigError() {
        assertThat(CallMediaFactory.opus(Map.of()).reason()).doesNotContain("configured");
        assertThatThrownBy(() -> CallMediaFactory.opus(Map.of(CallMediaFactory.OPUS_ENV, "fastest")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WAVOICE_OPUS");
    }
}
