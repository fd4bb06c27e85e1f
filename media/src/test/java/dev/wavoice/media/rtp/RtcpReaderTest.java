package dev.wavoice.media.rtp;

import static dev.wavoice.media.rtp.RtpPacketTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpReaderTest {
    final RtcpReader r = new RtcpReader();

    /** SR with one report block, then SDES CNAME, in the layout libwebrtc sends every few seconds. */
    static final String SR_SDES = ""
            + "81c8000c" + "a1b2c3d4"                      // SR, RC=1, 13 words; sender SSRC
            + "e8f0a1b2" + "80000000"                      // NTP 0xe8f0a1b2.80000000
            + "0003a980" + "00000064" + "00003e80"        // RTP ts 240000, 100 packets, 16000 octets
            + "11223344" + "05" + "000007"                 // block: SSRC, fraction 5/256, cumulative 7
            + "0001ffff" + "00000030"                      // ext. highest seq 131071, jitter 48
            + "a1b28000" + "00018000"                      // LSR, DLSR 1.5 s
            + "81ca0006" + "a1b2c3d4"                      // SDES, 1 chunk, 7 words
            + "0110" + "7b61626364656667686970717273747d" + "00000000".substring(0, 4); // CNAME, 16 bytes, null+pad

    @Test
    void readsSenderReportAndSdes() {
        byte[] b = hex(SR_SDES);
        assertThat(r.wrap(b, 0, b.length)).isTrue();
        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(RtcpReader.SR);
        assertThat(r.senderSsrc()).isEqualTo(0xa1b2c3d4L);
        assertThat(r.ntpTimestamp()).isEqualTo(0xe8f0a1b280000000L);
        assertThat(r.rtpTimestamp()).isEqualTo(240000);
        assertThat(r.senderPacketCount()).isEqualTo(100);
        assertThat(r.senderOctetCount()).isEqualTo(16000);
        assertThat(r.reportCount()).isEqualTo(1);
        assertThat(r.reportBlock(0)).isEqualTo(new ReportBlock(0x11223344L, 5, 7, 131071, 48, 0xa1b28000L,
                0x18000));
        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(RtcpReader.SDES);
        assertThat(r.cname()).isEqualTo("{abcdefghipqrst}");
        assertThat(r.reportCount()).isZero();
        assertThat(r.next()).isFalse();
        r.rewind();
        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(RtcpReader.SR);
    }

    @Test
    void negativeCumulativeLossIsSignExtended() {
        byte[] b = new byte[64];
        int n = RtcpWriter.receiverReport(b, 0, 1, List.of(new ReportBlock(2, 0, -3, 10, 0, 0, 0)));
        assertThat(r.wrap(b, 0, n) && r.next()).isTrue();
        assertThat(r.reportCumulativeLost(0)).isEqualTo(-3);
    }

    @Test
    void stepsOverFeedbackXrAndAppPackets() {
        byte[] b = hex(""
                + "80c90001" + "00000001"                       // RR, no blocks
                + "8fcd0004" + "00000001" + "00000002" + "00000000" + "00000000" // RTPFB fmt 15 (transport-cc)
                + "81ce0002" + "00000001" + "00000002"          // PSFB PLI
                + "80cf0001" + "00000001"                       // XR, no blocks
                + "80cc0002" + "00000001" + "6e616d65"          // APP "name"
                + "80ff0000");                                   // an unassigned type, header only
        assertThat(r.wrap(b, 0, b.length)).isTrue();
        int[] types = new int[6];
        int i = 0;
        while (r.next()) {
            types[i++] = r.type();
        }
        assertThat(types).containsExactly(201, 205, 206, 207, 204, 255);
    }

    @Test
    void readsByeWithAndWithoutReason() {
        byte[] b = new byte[64];
        int n = RtcpWriter.receiverReport(b, 0, 9, List.of());
        n += RtcpWriter.bye(b, n, 9, "call ended");
        assertThat(r.wrap(b, 0, n)).isTrue();
        r.next();
        assertThat(r.next()).isTrue();
        assertThat(r.type()).isEqualTo(RtcpReader.BYE);
        assertThat(r.byeSsrc(0)).isEqualTo(9);
        assertThat(r.byeReason()).isEqualTo("call ended");
        int m = RtcpWriter.bye(b, 0, 7, null);
        assertThat(m).isEqualTo(8);
        assertThat(r.wrap(b, 0, m) && r.next()).isTrue();
        assertThat(r.byeReason()).isNull();
    }

    @Test
    void paddingOnTheLastPacketIsAllowed() {
        byte[] b = hex("80c90001 00000001" + "a1cb0002 00000001 00000004");
        assertThat(r.wrap(b, 0, b.length)).isTrue();
        r.next();
        r.next();
        assertThat(r.byeSsrc(0)).isEqualTo(1);
        assertThat(r.byeReason()).isNull();
    }

    @Test
    void malformedCompoundsAreRefused() {
        String[] bad = {
                "",
                "80c9",                                   // shorter than a header
                "40c90001 00000001",                      // version 1
                "80c90002 00000001",                      // length says 12 bytes, 8 present
                "80c90001 00000001 80c9",                 // trailing partial header
                "a0c90001 00000001 80c90001 00000001",    // padding on a packet that is not last
                "a0c90001 00000000",                      // padding count 0
                "a0c90001 00000009",                      // padding larger than the packet
                "81c90001 00000001",                      // RR claims a block it lacks
                "81c80006 00000001 00000000 00000000 00000000 00000000 00000000", // SR RC=1 without block
                "82cb0001 00000001",                      // BYE of 2 sources, 1 present
                "81cb0001 00000001" + "",                 // ok BYE... (checked below)
                "81ca0001 00000001",                      // SDES chunk without terminating null item
                "81ca0002 00000001 0109 61626300",        // SDES item length past the end
                "81cb0002 00000001 08616263",             // BYE reason length past the end
        };
        for (String s : bad) {
            byte[] b = hex(s);
            if (s.startsWith("81cb0001")) {
                assertThat(r.wrap(b, 0, b.length)).as(s).isTrue();
                continue;
            }
            assertThat(r.wrap(b, 0, b.length)).as(s).isFalse();
            assertThat(r.next()).isFalse();
        }
        assertThat(r.wrap(null, 0, 8)).isFalse();
        assertThat(r.wrap(new byte[8], 4, 8)).isFalse();
        assertThat(r.wrap(new byte[8], -1, 8)).isFalse();
    }

    @Test
    void writerRoundTripsEveryPacketType() {
        byte[] b = new byte[256];
        List<ReportBlock> blocks = List.of(new ReportBlock(0xFFFFFFFFL, 255, 0x7FFFFF, 0xFFFFFFFFL, 0xFFFFFFFFL,
                0xFFFFFFFFL, 0xFFFFFFFFL), new ReportBlock(1, 0, -0x800000, 0, 0, 0, 0));
        int n = RtcpWriter.senderReport(b, 0, 0x11111111L, 0xFFFFFFFF00000001L, 0xFFFFFFFFL, 0xFFFFFFFFL, 7, blocks);
        assertThat(n).isEqualTo(28 + 48);
        int m = RtcpWriter.sdesCname(b, n, 0x11111111L, "x");
        assertThat(m).isEqualTo(12);
        int k = RtcpWriter.bye(b, n + m, 0x11111111L, "bye");
        assertThat(r.wrap(b, 0, n + m + k)).isTrue();
        r.next();
        assertThat(r.ntpTimestamp()).isEqualTo(0xFFFFFFFF00000001L);
        assertThat(r.rtpTimestamp()).isEqualTo(0xFFFFFFFFL);
        assertThat(r.senderPacketCount()).isEqualTo(0xFFFFFFFFL);
        assertThat(r.senderOctetCount()).isEqualTo(7);
        assertThat(List.of(r.reportBlock(0), r.reportBlock(1))).isEqualTo(blocks);
        r.next();
        assertThat(r.cname()).isEqualTo("x");
        r.next();
        assertThat(r.byeReason()).isEqualTo("bye");
        // every CNAME length pads correctly to 32 bits
        for (int len = 0; len < 20; len++) {
            int s = RtcpWriter.sdesCname(b, 0, 5, "c".repeat(len));
            assertThat(s % 4).isZero();
            assertThat(r.wrap(b, 0, s) && r.next()).isTrue();
            assertThat(r.cname()).isEqualTo("c".repeat(len));
        }
        assertThat(RtcpWriter.senderReport(new byte[40], 0, 1, 0, 0, 0, 0, blocks)).isEqualTo(-1);
        assertThat(RtcpWriter.sdesCname(b, 0, 1, "c".repeat(256))).isEqualTo(-1);
        assertThat(RtcpWriter.bye(new byte[4], 0, 1, null)).isEqualTo(-1);
    }
}
