package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bytes through every parser of the package: they may refuse, never throw, and what they accept
 * must be readable through every accessor without leaving the bytes given.
 */
class RtpMangledInputTest {
    static final int ROUNDS = 100_000;

    static byte[][] seeds() {
        byte[] rtp = new byte[40];
        int h = RtpHeaderWriter.writeWithAudioLevel(rtp, 0, true, 111, 7, 8, 9, 1, 0x85);
        byte[] rtcp = new byte[200];
        int n = RtcpWriter.senderReport(rtcp, 0, 1, 2, 3, 4, 5, List.of(new ReportBlock(6, 7, 8, 9, 10, 11, 12)));
        n += RtcpWriter.sdesCname(rtcp, n, 1, "fuzz@example");
        n += RtcpWriter.bye(rtcp, n, 1, "bye");
        return new byte[][] {java.util.Arrays.copyOf(rtp, h + 10), java.util.Arrays.copyOf(rtcp, n),
                RtpPacketTest.hex("90 6f 0001 00000001 00000002 1000 0002 00 07 01 05 14 02 abcd f8"),
                RtpPacketTest.hex(RtcpReaderTest.SR_SDES)};
    }

    @Test
    void parsersNeverThrowOnRandomOrMutatedInput() {
        Random rnd = new Random(5);
        byte[][] seeds = seeds();
        RtpPacket p = new RtpPacket();
        RtcpReader r = new RtcpReader();
        RtcpSession session = new RtcpSession(new OutboundRtp(2, 48000, 0, 0), "c",
                new RtcpScheduler(Duration.ofSeconds(5), rnd, 0), 48000, 0, 0);
        TelephoneEventReceiver dtmf = TelephoneEventReceiver.withDefaults(e -> { });
        InboundRtp inbound = new InboundRtp(111, 126, 1, session, dtmf);
        long acceptedRtp = 0, acceptedRtcp = 0;
        byte[] out = new byte[512];
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b;
            if (i % 3 == 0) {
                b = new byte[rnd.nextInt(64)];
                rnd.nextBytes(b);
                if (b.length > 0 && rnd.nextBoolean()) {
                    b[0] = (byte) (0x80 | (b[0] & 0x3F)); // keep version 2 half the time, to get past the first check
                }
            } else {
                byte[] seed = seeds[rnd.nextInt(seeds.length)];
                b = java.util.Arrays.copyOf(seed, Math.max(0, seed.length + rnd.nextInt(9) - 6));
                for (int k = rnd.nextInt(4); k >= 0 && b.length > 0; k--) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            int off = b.length == 0 ? 0 : rnd.nextInt(Math.min(3, b.length + 1));
            int len = b.length - off;
            if (p.wrap(b, off, len)) {
                acceptedRtp++;
                long sum = p.sequence() + p.timestamp() + p.ssrc() + p.payloadType() + p.csrcCount()
                        + p.paddingLength() + p.extensionProfile();
                for (int c = 0; c < p.csrcCount(); c++) {
                    sum += p.csrc(c);
                }
                for (int id = 0; id < 16; id++) {
                    sum += p.audioLevel(id) + p.extensionElementLength(id) + p.extensionElementOffset(id);
                }
                assertThat(p.payloadOffset() + p.payloadLength() + p.paddingLength()).isEqualTo(off + len);
                assertThat(sum).isNotNull();
            }
            if (r.wrap(b, off, len)) {
                acceptedRtcp++;
                while (r.next()) {
                    long sum = r.type() + r.count() + r.senderSsrc() + r.reportCount();
                    for (int k = 0; k < r.reportCount(); k++) {
                        sum += r.reportBlock(k).jitter();
                    }
                    switch (r.type()) {
                        case RtcpReader.SR -> sum += r.ntpTimestamp() + r.rtpTimestamp() + r.senderOctetCount();
                        case RtcpReader.SDES -> sum += String.valueOf(r.cname()).length();
                        case RtcpReader.BYE -> {
                            for (int k = 0; k < r.count(); k++) {
                                sum += r.byeSsrc(k);
                            }
                            sum += String.valueOf(r.byeReason()).length();
                        }
                        default -> { }
                    }
                    assertThat(r.packetOffset() + r.packetLength()).isLessThanOrEqualTo(off + len);
                    assertThat(sum).isNotNull();
                }
            }
            session.onRtcp(b, off, len, i);
            inbound.accept(b, off, len, i * 1_000_000L);
            dtmf.onPacket(i, b, off, Math.min(len, 8), i);
            if (i % 1000 == 0) {
                session.writeReport(out, 0, i);
            }
        }
        System.out.printf("fuzz: %d rounds, %d accepted as RTP, %d as RTCP; inbound %s; rtcp %s%n", ROUNDS,
                acceptedRtp, acceptedRtcp, inbound.stats(), session.stats());
        assertThat(acceptedRtp).isPositive();
        assertThat(acceptedRtcp).isPositive();
    }
}
