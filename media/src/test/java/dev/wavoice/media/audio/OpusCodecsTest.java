package dev.wavoice.media.audio;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpusCodecsTest {
    @Test
    void autoPrefersLibopusWhenItLoads() {
        OpusCodecs.Selection selection = OpusCodecs.best();
        assertThat(selection.codec().name()).isEqualTo("libopus");
        assertThat(selection.reason()).contains("libopus 1.");
    }

    @Test
    void autoFallsBackToConcentusWithTheReasonWhenTheLibraryIsMissing() {
        OpusCodecs.Selection selection = OpusCodecs.select(OpusCodecs.Preference.AUTO, "/nonexistent/libopus.so.0");
        assertThat(selection.codec().name()).isEqualTo("concentus");
        assertThat(selection.reason()).contains("unavailable").contains("/nonexistent/libopus.so.0");
    }

    @Test
    void aLibraryWithoutOpusSymbolsIsRefusedWithTheMissingSymbol() {
        OpusCodecs.Selection selection = OpusCodecs.select(OpusCodecs.Preference.AUTO, "libc.so.6");
        assertThat(selection.codec().name()).isEqualTo("concentus");
        assertThat(selection.reason()).contains("opus_encoder_create");
    }

    @Test
    void nativeForcedButMissingIsAStartupError() {
        assertThatThrownBy(() -> OpusCodecs.select(OpusCodecs.Preference.NATIVE, "/nonexistent/libopus.so.0"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("opus codec = native")
                .hasMessageContaining("/nonexistent/libopus.so.0");
    }

    @Test
    void javaForcedIgnoresTheNativeLibrary() {
        OpusCodecs.Selection selection = OpusCodecs.select(OpusCodecs.Preference.parse("JAVA"), null);
        assertThat(selection.codec()).isInstanceOf(ConcentusOpusCodec.class);
        assertThat(selection.reason()).contains("configured");
    }

    @Test
    void preferenceParsesConfigWordsAndRejectsOthers() {
        assertThat(OpusCodecs.Preference.parse(" auto ")).isEqualTo(OpusCodecs.Preference.AUTO);
        assertThat(OpusCodecs.Preference.parse("libopus")).isEqualTo(OpusCodecs.Preference.NATIVE);
        assertThatThrownBy(() -> OpusCodecs.Preference.parse("fast")).hasMessageContaining("auto, java or native");
    }
}
