package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    final RtpPacket p = new RtpPacket();

    @Test
    void readsTheFixedHeader() {
        // V=2, M=1, PT=111, seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304, payload f8 ff fe
        byte[] b = hex("80 ef 1234 deadbeef 01020304 f8fffe");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.marker()).isTrue();
        assertThat(p.payloadType()).isEqualTo(111);
        assertThat(p.sequence()).isEqualTo(0x1234);
        assertThat(p.timestamp()).isEqualTo(0xDEADBEEFL);
        assertThat(p.ssrc()).isEqualTo(0x01020304L);
        assertThat(p.payloadOffset()).isEqualTo(12);
        assertThat(p.payloadLength()).isEqualTo(3);
        assertThat(p.headerLength()).isEqualTo(12);
        assertThat(p.hasExtension()).isFalse();
        assertThat(p.extensionProfile()).isEqualTo(-1);
        assertThat(p.audioLevel(1)).isEqualTo(-1);
    }

    @Test
    void aViewInsideALargerBufferUsesAbsoluteOffsets() {
        byte[] b = hex("ffff 80 6f 0001 00000001 00000002 aabb ffff");
        assertThat(p.wrap(b, 2, 14)).isTrue();
        assertThat(p.payloadOffset()).isEqualTo(14);
        assertThat(p.payloadLength()).isEqualTo(2);
        assertThat(p.marker()).isFalse();
    }

    @Test
    void csrcsAndPaddingAreSkipped() {
        // CC=2, P=1: two CSRCs, payload 01 02, then 3 bytes of padding whose last byte counts them
        byte[] b = hex("a2 6f 0001 00000064 0000aaaa 11111111 22222222 0102 0000 03");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.csrcCount()).isEqualTo(2);
        assertThat(p.csrc(1)).isEqualTo(0x22222222L);
        assertThat(p.payloadOffset()).isEqualTo(20);
        assertThat(p.payloadLength()).isEqualTo(2);
        assertThat(p.paddingLength()).isEqualTo(3);
    }

    @Test
    void readsTheAudioLevelFromAOneByteExtensionAsChromeSendsIt() {
        // Chrome-style: BEDE, 2 words: id 1 (audio level, 1 byte: V=1, 42 dBov) then id 3 (3 bytes), 0 padding
        byte[] b = hex("90 6f 4e20 0001e240 11223344 bede 0002 10 aa 32 010203 00 00 f8 01");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.extensionProfile()).isEqualTo(0xBEDE);
        assertThat(p.payloadOffset()).isEqualTo(24);
        assertThat(p.payloadLength()).isEqualTo(2);
        int level = p.audioLevel(1);
        assertThat(AudioLevel.voice(level)).isTrue();
        assertThat(AudioLevel.level(level)).isEqualTo(42);
        assertThat(p.extensionElementLength(3)).isEqualTo(3);
        assertThat(p.buffer()[p.extensionElementOffset(3)]).isEqualTo((byte) 1);
        assertThat(p.audioLevel(2)).isEqualTo(-1);
        assertThat(p.audioLevel(0)).isEqualTo(-1);
        assertThat(p.audioLevel(15)).isEqualTo(-1);
    }

    @Test
    void readsTheTwoByteForm() {
        // 0x1000 profile (appbits 0): padding byte, then id 7 len 1 = 0x05, id 20 len 2
        byte[] b = hex("90 6f 0001 00000001 00000002 1000 0002 00 07 01 05 14 02 abcd f8");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.audioLevel(7)).isEqualTo(5);
        assertThat(p.extensionElementLength(20)).isEqualTo(2);
        assertThat(p.extensionElementLength(21)).isEqualTo(-1);
        assertThat(p.payloadLength()).isEqualTo(1);
    }

    @Test
    void unknownExtensionProfilesAreSkippedButNotRead() {
        byte[] b = hex("90 6f 0001 00000001 00000002 abcd 0001 10 05 00 00 f8");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.audioLevel(1)).isEqualTo(-1);
        assertThat(p.payloadLength()).isEqualTo(1);
    }

    @Test
    void malformedElementsInsideAValidBlockReadAsAbsent() {
        // one-byte element claiming 4 bytes in a 4-byte block; id 15 stops the scan (RFC 8285 §4.2)
        byte[] overrun = hex("90 6f 0001 00000001 00000002 bede 0001 13 01 02 03");
        assertThat(p.wrap(overrun, 0, overrun.length)).isTrue();
        assertThat(p.audioLevel(1)).isEqualTo(-1);
        byte[] stop = hex("90 6f 0001 00000001 00000002 bede 0001 f0 10 05 00");
        assertThat(p.wrap(stop, 0, stop.length)).isTrue();
        assertThat(p.audioLevel(1)).isEqualTo(-1);
        byte[] twoByteOverrun = hex("90 6f 0001 00000001 00000002 1000 0001 07 05 aa bb");
        assertThat(p.wrap(twoByteOverrun, 0, twoByteOverrun.length)).isTrue();
        assertThat(p.audioLevel(7)).isEqualTo(-1);
    }

    @Test
    void malformedPacketsAreRefused() {
        String[] bad = {
                "",                                            // empty
                "80 6f 0001 00000001 000000",                  // 11 bytes
                "40 6f 0001 00000001 00000002 00",             // version 1
                "00 6f 0001 00000001 00000002 00",             // version 0
                "c0 6f 0001 00000001 00000002 00",             // version 3
                "81 6f 0001 00000001 00000002",                // CSRC count 1, no CSRC
                "8f 6f 0001 00000001 00000002 00000000",       // CSRC count 15, one present
                "90 6f 0001 00000001 00000002 bede",           // extension header cut
                "90 6f 0001 00000001 00000002 bede 0002 10050000", // extension says 2 words, has 1
                "a0 6f 0001 00000001 00000002 aa00",           // padding count 0
                "a0 6f 0001 00000001 00000002 aa05",           // padding past the payload
                "a0 6f 0001 00000001 00000002",                // padding bit on a header-only packet
        };
        for (String s : bad) {
            byte[] b = hex(s);
            assertThat(p.wrap(b, 0, b.length)).as(s).isFalse();
            assertThat(p.isValid()).isFalse();
        }
    }

    @Test
    void badBoundsAreRefusedNotThrown() {
        byte[] b = hex("80 6f 0001 00000001 00000002 aabb");
        assertThat(p.wrap(null, 0, 12)).isFalse();
        assertThat(p.wrap(b, -1, 12)).isFalse();
        assertThat(p.wrap(b, 0, b.length + 1)).isFalse();
        assertThat(p.wrap(b, 5, b.length)).isFalse();
        assertThat(p.wrap(b, 0, -3)).isFalse();
        assertThat(p.wrap(b, Integer.MAX_VALUE, 12)).isFalse();
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        // a failed wrap leaves nothing of the previous packet behind
        assertThat(p.wrap(b, 0, 3)).isFalse();
        assertThat(p.isValid()).isFalse();
    }

    @Test
    void paddingThatFillsThePayloadIsLegal() {
        // RFC 3550 §5.1: padding may fill everything after the header (e.g. for encryption block sizes)
        byte[] b = hex("a0 6f 0001 00000001 00000002 00000004");
        assertThat(p.wrap(b, 0, b.length)).isTrue();
        assertThat(p.payloadLength()).isZero();
        assertThat(p.paddingLength()).isEqualTo(4);
    }
}
