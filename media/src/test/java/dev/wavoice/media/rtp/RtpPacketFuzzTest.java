package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * A datagram the demultiplexer called RTP, through {@link RtpPacket#wrap} and the RFC 8285 header-extension lookups
 * (one-byte and two-byte forms, RFC 6464 audio level). Whatever the bytes, every accessor stays inside the packet;
 * the same bytes at another offset of a larger buffer read the same; and a packet written back with
 * {@link RtpHeaderWriter} from what was read (header, audio level, payload) reads the same again.
 */
class RtpPacketFuzzTest {
    private static final int SHIFT = 5;

    @FuzzTest
    void wrapReadWriteRead(byte[] input) {
        RtpPacket p = new RtpPacket();
        boolean accepted = p.wrap(input, 0, input.length);
        byte[] shifted = new byte[input.length + 2 * SHIFT];
        Arrays.fill(shifted, (byte) 0xA5);
        System.arraycopy(input, 0, shifted, SHIFT, input.length);
        RtpPacket q = new RtpPacket();
        assertThat(q.wrap(shifted, SHIFT, input.length)).isEqualTo(accepted);
        if (!accepted) {
            assertThat(p.isValid()).isFalse();
            return;
        }
        assertThat(p.headerLength()).isBetween(12, input.length);
        assertThat(p.payloadOffset()).isEqualTo(p.headerLength());
        assertThat(p.payloadOffset() + p.payloadLength() + p.paddingLength()).isEqualTo(input.length);
        assertThat(p.payloadLength()).isNotNegative();
        assertThat(q.sequence()).isEqualTo(p.sequence());
        assertThat(q.timestamp()).isEqualTo(p.timestamp());
        assertThat(q.ssrc()).isEqualTo(p.ssrc());
        assertThat(q.payloadLength()).isEqualTo(p.payloadLength());
        for (int c = 0; c < p.csrcCount(); c++) {
            assertThat(q.csrc(c)).isEqualTo(p.csrc(c));
        }
        // Every lookup scans the extension block: all 255 ids for a block of audio size, the one-byte range and the
        // first two-byte ids for a large one (scanning kilobytes 255 times cut the rate to 2,000 inputs/s).
        // Plain checks in the loop, for the same reason.
        int levelId = -1;
        int extensionStart = 12 + 4 * p.csrcCount() + 4;
        int lastId = p.headerLength() - extensionStart <= 64 ? 255 : 17;
        for (int id = 1; id <= lastId; id++) {
            int at = p.extensionElementOffset(id);
            int length = p.extensionElementLength(id);
            int level = p.audioLevel(id);
            if ((at < 0) != (length < 0) || level < -1 || level > 255 || q.audioLevel(id) != level
                    || (at >= 0 && (at < extensionStart || at + length > p.headerLength()
                            || q.extensionElementOffset(id) != at + SHIFT || q.extensionElementLength(id) != length))) {
                throw new AssertionError("element " + id + ": offset " + at + ", length " + length + ", level "
                        + level + " in " + p);
            }
            if (level >= 0 && levelId < 0) {
                levelId = id;
            }
        }
        if (p.extensionProfile() != RtpPacket.ONE_BYTE_PROFILE
                && (p.extensionProfile() & RtpPacket.TWO_BYTE_PROFILE_MASK) != RtpPacket.TWO_BYTE_PROFILE) {
            assertThat(levelId).isEqualTo(-1);
        }
        rewriteAndReread(p, levelId);
    }

    private static void rewriteAndReread(RtpPacket p, int levelId) {
        byte[] out = new byte[RtpHeaderWriter.HEADER_WITH_AUDIO_LEVEL + p.payloadLength()];
        int header = levelId < 0
                ? RtpHeaderWriter.write(out, 0, p.marker(), p.payloadType(), p.sequence(), p.timestamp(), p.ssrc())
                : RtpHeaderWriter.writeWithAudioLevel(out, 0, p.marker(), p.payloadType(), p.sequence(),
                        p.timestamp(), p.ssrc(), levelId, p.audioLevel(levelId));
        assertThat(header).isPositive();
        System.arraycopy(p.buffer(), p.payloadOffset(), out, header, p.payloadLength());
        RtpPacket again = new RtpPacket();
        assertThat(again.wrap(out, 0, header + p.payloadLength())).isTrue();
        assertThat(again.marker()).isEqualTo(p.marker());
        assertThat(again.payloadType()).isEqualTo(p.payloadType());
        assertThat(again.sequence()).isEqualTo(p.sequence());
        assertThat(again.timestamp()).isEqualTo(p.timestamp());
        assertThat(again.ssrc()).isEqualTo(p.ssrc());
        assertThat(again.audioLevel(levelId < 0 ? 1 : levelId)).isEqualTo(levelId < 0 ? -1 : p.audioLevel(levelId));
        assertThat(Arrays.copyOfRange(out, again.payloadOffset(), again.payloadOffset() + again.payloadLength()))
                .isEqualTo(Arrays.copyOfRange(p.buffer(), p.payloadOffset(), p.payloadOffset() + p.payloadLength()));
    }
}
