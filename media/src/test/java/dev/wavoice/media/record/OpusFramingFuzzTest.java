package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Arbitrary bytes as a peer's "Opus packet" through {@link OpusFraming}: parsing never throws; a packet it accepts
 * is consistent (frames inside the packet, R2 and R5 held, frames and fields and padding adding up to the packet),
 * and its self-delimited form, followed by another stream's bytes, parses back to the same frames and ends exactly
 * where that stream starts: what the recorder writes always parses.
 */
class OpusFramingFuzzTest {

    @FuzzTest
    void convertAndReparse(byte[] input) {
        OpusPacketLayout layout = new OpusPacketLayout();
        if (!OpusFraming.parse(input, 0, input.length, false, layout)) {
            return;
        }
        int frames = layout.frameCount();
        assertThat(frames).isBetween(1, OpusPacketLayout.MAX_FRAMES);
        assertThat(layout.samples48k()).isBetween(120, 5760);
        int sum = 0;
        for (int i = 0; i < frames; i++) {
            assertThat(layout.frameLength(i)).isBetween(0, OpusFraming.MAX_FRAME_BYTES);
            assertThat(layout.frameOffset(i)).isEqualTo(layout.dataStart() + sum);
            sum += layout.frameLength(i);
        }
        assertThat(layout.dataStart() + sum + layout.paddingLength()).isEqualTo(input.length);
        assertThat(layout.end()).isEqualTo(input.length);

        byte[] out = new byte[input.length + OpusFraming.SELF_DELIMITING_OVERHEAD + 1];
        int n = OpusFraming.toSelfDelimited(input, 0, input.length, layout, out, 0);
        assertThat(n).isBetween(input.length + 1, input.length + 2);
        out[n] = (byte) 0xF8; // the next stream: a TOC-only packet
        OpusPacketLayout back = new OpusPacketLayout();
        assertThat(OpusFraming.parse(out, 0, n + 1, true, back)).isTrue();
        assertThat(back.end()).isEqualTo(n);
        assertThat(back.toc()).isEqualTo(layout.toc());
        assertThat(back.frameCount()).isEqualTo(frames);
        assertThat(back.paddingLength()).isEqualTo(layout.paddingLength());
        for (int i = 0; i < frames; i++) {
            int a = layout.frameOffset(i);
            int b = back.frameOffset(i);
            if (!Arrays.equals(input, a, a + layout.frameLength(i), out, b, b + back.frameLength(i))) {
                throw new AssertionError("frame " + i + " changed");
            }
        }
        // the concealment written in its place when the duration is not 20 ms parses too, as 20 ms
        int e = OpusFraming.writeEmpty(layout.toc(), true, out, 0);
        assertThat(OpusFraming.parse(out, 0, e, true, back)).isTrue();
        assertThat(back.samples48k()).isEqualTo(OpusFraming.SAMPLES_20MS);
    }
}
