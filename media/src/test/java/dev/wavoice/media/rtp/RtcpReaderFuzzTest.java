package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * A datagram the demultiplexer called RTCP, through {@link RtcpReader}: compound packets of SR, RR, SDES, BYE and
 * anything else. Accepted packets are walked through every accessor, which must stay inside the compound; every SR,
 * RR, SDES CNAME and BYE read is written back with {@link RtcpWriter} and must read back the same.
 */
class RtcpReaderFuzzTest {

    @FuzzTest
    void wrapWalkWriteRead(byte[] input) {
        RtcpReader r = new RtcpReader();
        if (!r.wrap(input, 0, input.length)) {
            assertThat(r.next()).isFalse();
            return;
        }
        int end = 0;
        byte[] out = new byte[2048];
        RtcpReader again = new RtcpReader();
        while (r.next()) {
            assertThat(r.packetOffset()).isEqualTo(end);
            end = r.packetOffset() + r.packetLength();
            assertThat(end).isLessThanOrEqualTo(input.length);
            int n = switch (r.type()) {
                case RtcpReader.SR -> RtcpWriter.senderReport(out, 0, r.senderSsrc(), r.ntpTimestamp(),
                        r.rtpTimestamp(), r.senderPacketCount(), r.senderOctetCount(), blocks(r));
                case RtcpReader.RR -> RtcpWriter.receiverReport(out, 0, r.senderSsrc(), blocks(r));
                case RtcpReader.SDES -> r.cname() == null ? -1 : RtcpWriter.sdesCname(out, 0, r.senderSsrc(), r.cname());
                case RtcpReader.BYE -> r.count() == 0 ? -1 : RtcpWriter.bye(out, 0, r.byeSsrc(0), r.byeReason());
                default -> -1;
            };
            if (n < 0) {
                continue;
            }
            assertThat(again.wrap(out, 0, n)).isTrue();
            assertThat(again.next()).isTrue();
            assertThat(again.type()).isEqualTo(r.type());
            switch (r.type()) {
                case RtcpReader.SR -> {
                    assertThat(again.senderSsrc()).isEqualTo(r.senderSsrc());
                    assertThat(again.ntpTimestamp()).isEqualTo(r.ntpTimestamp());
                    assertThat(again.rtpTimestamp()).isEqualTo(r.rtpTimestamp());
                    assertThat(again.senderPacketCount()).isEqualTo(r.senderPacketCount());
                    assertThat(again.senderOctetCount()).isEqualTo(r.senderOctetCount());
                    assertThat(blocks(again)).isEqualTo(blocks(r));
                }
                case RtcpReader.RR -> {
                    assertThat(again.senderSsrc()).isEqualTo(r.senderSsrc());
                    assertThat(blocks(again)).isEqualTo(blocks(r));
                }
                case RtcpReader.SDES -> {
                    assertThat(again.senderSsrc()).isEqualTo(r.senderSsrc());
                    assertThat(again.cname()).isEqualTo(r.cname());
                }
                default -> {
                    assertThat(again.byeSsrc(0)).isEqualTo(r.byeSsrc(0));
                    assertThat(again.byeReason()).isEqualTo(r.byeReason());
                }
            }
            assertThat(again.next()).isFalse();
        }
        assertThat(end).isEqualTo(input.length);
    }

    private static List<ReportBlock> blocks(RtcpReader r) {
        List<ReportBlock> blocks = new ArrayList<>();
        for (int i = 0; i < r.reportCount(); i++) {
            blocks.add(r.reportBlock(i));
        }
        return blocks;
    }
}
