package dev.wavoice.server.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class StreamFormatTest {

    @Test
    void muLawMatchesG711() {
        // ITU-T G.711 table values: code 0xFF is +0, 0x7F is -0, 0x80 and 0x00 the extremes.
        assertThat(MuLaw.decode((byte) 0xFF)).isEqualTo((short) 0);
        assertThat(MuLaw.decode((byte) 0x7F)).isEqualTo((short) 0);
        assertThat(MuLaw.decode((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(MuLaw.decode((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(MuLaw.encode((short) 0)).isEqualTo((byte) 0xFF);
        assertThat(MuLaw.encode(Short.MAX_VALUE)).isEqualTo((byte) 0x80);
        assertThat(MuLaw.encode(Short.MIN_VALUE)).isEqualTo((byte) 0x00);
        for (int code = 0; code < 256; code++) {
            byte b = (byte) code;
            if (code != 0x7F) { // -0 encodes back as +0
                assertThat(MuLaw.encode(MuLaw.decode(b))).as("code %02x", code).isEqualTo(b);
            }
        }
        // The quantisation error grows with the level but stays within one step of the sample's segment: a
        // sixteenth of (|s| + bias), about 6 % at a segment's start, as G.711 truncates.
        for (int s = -32000; s <= 32000; s += 7) {
            int back = MuLaw.decode(MuLaw.encode((short) s));
            assertThat(Math.abs(back - s)).as("sample %d", s).isLessThanOrEqualTo((Math.abs(s) + 0x84) / 16 + 1);
        }
    }

    @Test
    void payloadsRoundTripInEachFormat() {
        short[] pcm = {0, 1000, -1000, 32767, -32768, 12345};
        assertThat(StreamFormat.L16_16K.decode(StreamFormat.L16_16K.encode(pcm, 0, pcm.length))).containsExactly(pcm);
        byte[] l16 = Base64.getDecoder().decode(StreamFormat.L16_24K.encode(new short[] {0x0102}, 0, 1));
        assertThat(l16).as("little-endian").containsExactly(0x02, 0x01);
        assertThat(Base64.getDecoder().decode(StreamFormat.MULAW_8K.encode(pcm, 1, 2))).hasSize(2);
        assertThat(StreamFormat.MULAW_8K.decode(StreamFormat.MULAW_8K.encode(pcm, 0, pcm.length))).hasSize(6);
        assertThatThrownBy(() -> StreamFormat.MULAW_8K.decode("%%%")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsAreNamedAsConfiguredAndAnnounced() {
        assertThat(StreamFormat.parse(null)).isEqualTo(StreamFormat.MULAW_8K);
        assertThat(StreamFormat.parse(" L16-16K ")).isEqualTo(StreamFormat.L16_16K);
        assertThat(StreamFormat.L16_24K.encoding()).isEqualTo("audio/x-l16");
        assertThat(StreamFormat.L16_24K.sampleRate()).isEqualTo(24_000);
        assertThat(StreamFormat.MULAW_8K.encoding()).isEqualTo("audio/x-mulaw");
    }
}
