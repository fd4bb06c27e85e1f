package dev.wavoice.media.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frame packing (RFC 6716 section 3.2) and self-delimiting framing (Appendix B), for each frame count code: a packet
 * converted and followed by another stream's bytes must parse back, self-delimited, to the same frames and end
 * exactly where the next stream starts.
 */
class OpusFramingTest {
    /** CELT fullband 20 ms (config 31), SILK wideband 10 ms (config 8), CELT fullband 10 ms (config 30). */
    static final int CELT_FB_20 = 31 << 3;
    static final int SILK_WB_10 = 8 << 3;
    static final int CELT_FB_10 = 30 << 3;

    final OpusPacketLayout layout = new OpusPacketLayout();

    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seed * 31 + i * 7);
        }
        return f;
    }

    static void length(ByteArrayOutputStream out, int n) {
        byte[] b = new byte[2];
        out.write(b, 0, OpusFraming.writeLength(n, b, 0));
    }

    static byte[] code0(int toc, byte[] f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(toc);
        out.writeBytes(f);
        return out.toByteArray();
    }

    static byte[] code1(int toc, byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(toc | 1);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] code2(int toc, byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(toc | 2);
        length(out, a.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] code3(int toc, boolean vbr, int padding, byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(toc | 3);
        out.write((vbr ? 0x80 : 0) | (padding > 0 ? 0x40 : 0) | frames.length);
        if (padding > 0) {
            int left = padding;
            while (left >= 254) { // 255 says "254 bytes and another length byte"
                out.write(255);
                left -= 254;
            }
            out.write(left);
        }
        if (vbr) {
            for (int i = 0; i < frames.length - 1; i++) {
                length(out, frames[i].length);
            }
        }
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        out.writeBytes(new byte[padding]);
        return out.toByteArray();
    }

    /** Converts {@code packet}, appends a following stream's bytes, parses self-delimited and returns its frames. */
    List<byte[]> roundTrip(byte[] packet, int expectedSamples) {
        assertThat(OpusFraming.parse(packet, 0, packet.length, false, layout)).isTrue();
        assertThat(layout.samples48k()).isEqualTo(expectedSamples);
        List<byte[]> original = frames(packet);
        byte[] out = new byte[packet.length + OpusFraming.SELF_DELIMITING_OVERHEAD + 3];
        int n = OpusFraming.toSelfDelimited(packet, 0, packet.length, layout, out, 0);
        assertThat(n).isBetween(packet.length + 1, packet.length + 2);
        out[n] = (byte) CELT_FB_20; // the next stream: a TOC-only packet and two stray bytes
        out[n + 1] = 9;
        out[n + 2] = 9;
        OpusPacketLayout back = new OpusPacketLayout();
        assertThat(OpusFraming.parse(out, 0, n + 3, true, back)).isTrue();
        assertThat(back.end()).as("the self-delimited packet ends where the next stream starts").isEqualTo(n);
        assertThat(back.toc()).isEqualTo(packet[0] & 0xFF);
        assertThat(back.paddingLength()).isEqualTo(layout.paddingLength());
        List<byte[]> parsed = new ArrayList<>();
        for (int i = 0; i < back.frameCount(); i++) {
            parsed.add(Arrays.copyOfRange(out, back.frameOffset(i), back.frameOffset(i) + back.frameLength(i)));
        }
        assertThat(parsed).usingElementComparator(Arrays::compare).containsExactlyElementsOf(original);
        return parsed;
    }

    List<byte[]> frames(byte[] packet) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < layout.frameCount(); i++) {
            frames.add(Arrays.copyOfRange(packet, layout.frameOffset(i), layout.frameOffset(i) + layout.frameLength(i)));
        }
        return frames;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 251, 252, 600, 1275})
    void code0OneFrameOfAnyLength(int length) {
        List<byte[]> frames = roundTrip(code0(CELT_FB_20, frame(length, 1)), 960);
        assertThat(frames).hasSize(1);
        assertThat(frames.getFirst()).hasSize(length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 40, 252, 1275})
    void code1TwoEqualFrames(int length) {
        assertThat(roundTrip(code1(SILK_WB_10, frame(length, 1), frame(length, 2)), 960)).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 251, 252, 700})
    void code2TwoFramesOfDifferentLengths(int first) {
        assertThat(roundTrip(code2(CELT_FB_10, frame(first, 1), frame(300, 2)), 960)).hasSize(2);
        assertThat(roundTrip(code2(CELT_FB_10, frame(300, 3), frame(first, 4)), 960)).hasSize(2);
    }

    @Test
    void code3ConstantBitrateWithAndWithoutPadding() {
        assertThat(roundTrip(code3(CELT_FB_20, false, 0, frame(80, 1)), 960)).hasSize(1);
        assertThat(roundTrip(code3(CELT_FB_20, false, 5, frame(80, 1)), 960)).hasSize(1);
        assertThat(roundTrip(code3(CELT_FB_20, false, 600, frame(80, 1)), 960)).hasSize(1); // 255, 255, 92
        assertThat(roundTrip(code3(CELT_FB_10, false, 254, frame(90, 1), frame(90, 2)), 960)).hasSize(2);
    }

    @Test
    void code3VariableBitrateWithAndWithoutPadding() {
        assertThat(roundTrip(code3(CELT_FB_10, true, 0, frame(10, 1), frame(300, 2)), 960)).hasSize(2);
        assertThat(roundTrip(code3(CELT_FB_10, true, 7, frame(300, 1), frame(0, 2)), 960)).hasSize(2);
        // 2.5 ms CELT frames: eight of them make 20 ms
        byte[][] eight = new byte[8][];
        for (int i = 0; i < 8; i++) {
            eight[i] = frame(20 + 40 * i, i);
        }
        assertThat(roundTrip(code3(16 << 3, true, 3, eight), 960)).hasSize(8);
    }

    @Test
    void durationsFollowTheConfiguration() {
        assertThat(roundTrip(code0(SILK_WB_10, frame(30, 1)), 480)).hasSize(1);
        assertThat(roundTrip(code0(2 << 3, frame(30, 1)), 1920)).hasSize(1); // SILK NB 40 ms
        assertThat(roundTrip(code3(3 << 3, false, 0, frame(10, 1), frame(10, 2)), 5760)).hasSize(2); // 2 x 60 ms
    }

    @Test
    void malformedPacketsAreRefused() {
        assertThat(parses(new byte[0])).as("R1: empty").isFalse();
        assertThat(parses(code1(CELT_FB_10, frame(3, 1), frame(4, 2)))).as("R3: odd code 1").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_10 | 2), (byte) 253})).as("code 2 length cut short").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_10 | 2), 20, 1, 2})).as("R4: first frame too long").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_20 | 3)})).as("code 3 without a count").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_20 | 3), 0})).as("R5: zero frames").isFalse();
        assertThat(parses(new byte[] {(byte) (3 << 3 | 3), 3})).as("R5: 180 ms").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_10 | 3), 2, 1, 2, 3})).as("R6: 3 bytes in 2 CBR frames").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_10 | 3), 0x42, 10, 1, 2})).as("padding past the end").isFalse();
        assertThat(parses(new byte[] {(byte) (CELT_FB_10 | 3), (byte) 0x82, 9, 1, 2})).as("R7: VBR lengths").isFalse();
        assertThat(parses(code0(CELT_FB_20, frame(1276, 1)))).as("R2: frame over 1275 bytes").isFalse();
        // self-delimited: the length field may not claim more than there is
        assertThat(OpusFraming.parse(new byte[] {(byte) CELT_FB_20, 5, 1, 2}, 0, 4, true, layout)).isFalse();
        assertThat(OpusFraming.parse(new byte[] {(byte) CELT_FB_20}, 0, 1, true, layout)).isFalse();
    }

    @Test
    void emptyFramesLastTwentyMillisecondsAndParse() {
        byte[] out = new byte[2];
        for (int toc : new int[] {0, SILK_WB_10, CELT_FB_10 | 3, 13 << 3 | 4, 2 << 3 | 1}) {
            assertThat(OpusFraming.writeEmpty(toc, false, out, 0)).isEqualTo(1);
            assertThat(OpusFraming.parse(out, 0, 1, false, layout)).isTrue();
            assertThat(layout.samples48k()).as("toc %d", toc).isEqualTo(960);
            assertThat(layout.frameLength(0)).isZero();
            assertThat(out[0] & 0x04).as("stereo flag kept").isEqualTo(toc & 0x04);
            assertThat(OpusFraming.writeEmpty(toc, true, out, 0)).isEqualTo(2);
            assertThat(OpusFraming.parse(out, 0, 2, true, layout)).isTrue();
            assertThat(layout.end()).isEqualTo(2);
            assertThat(layout.samples48k()).isEqualTo(960);
        }
    }

    boolean parses(byte[] packet) {
        return OpusFraming.parse(packet, 0, packet.length, false, layout);
    }
}
