package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RtpHeaderWriterTest {
    final RtpPacket p = new RtpPacket();

    @Test
    void writesTheFixedHeaderByteForByte() {
        byte[] b = new byte[12];
        assertThat(RtpHeaderWriter.write(b, 0, true, 111, 0x1234, 0xDEADBEEFL, 0x01020304L)).isEqualTo(12);
        assertThat(HexFormat.of().formatHex(b)).isEqualTo("80ef1234deadbeef01020304");
    }

    @Test
    void writesTheAudioLevelInTheOneByteForm() {
        byte[] b = new byte[22];
        int n = RtpHeaderWriter.writeWithAudioLevel(b, 0, false, 111, 65535, 0xFFFFFFFFL, 0xFFFFFFFFL, 1,
                AudioLevel.pack(30, true));
        assertThat(n).isEqualTo(20);
        assertThat(HexFormat.of().formatHex(b, 0, 20)).isEqualTo("906fffffffffffffffffffffbede0001109e0000");
        b[20] = (byte) 0xF8;
        b[21] = 1;
        assertThat(p.wrap(b, 0, 22)).isTrue();
        assertThat(p.sequence()).isEqualTo(65535);
        assertThat(p.timestamp()).isEqualTo(0xFFFFFFFFL);
        assertThat(p.ssrc()).isEqualTo(0xFFFFFFFFL);
        assertThat(p.payloadOffset()).isEqualTo(20);
        assertThat(AudioLevel.level(p.audioLevel(1))).isEqualTo(30);
        assertThat(AudioLevel.voice(p.audioLevel(1))).isTrue();
    }

    @Test
    void idsAbove14UseTheTwoByteForm() {
        byte[] b = new byte[21];
        int n = RtpHeaderWriter.writeWithAudioLevel(b, 0, false, 111, 1, 2, 3, 200, AudioLevel.pack(127, false));
        assertThat(n).isEqualTo(20);
        assertThat(HexFormat.of().formatHex(b, 12, 20)).isEqualTo("10000001c8017f00");
        assertThat(p.wrap(b, 0, 21)).isTrue();
        assertThat(p.audioLevel(200)).isEqualTo(127);
        assertThat(p.payloadLength()).isEqualTo(1);
    }

    @Test
    void refusesWhatDoesNotFitOrIsOutOfRange() {
        assertThat(RtpHeaderWriter.write(new byte[11], 0, false, 111, 1, 1, 1)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.write(new byte[20], 9, false, 111, 1, 1, 1)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.write(new byte[20], 0, false, 128, 1, 1, 1)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.write(null, 0, false, 111, 1, 1, 1)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.writeWithAudioLevel(new byte[19], 0, false, 111, 1, 1, 1, 1, 0)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.writeWithAudioLevel(new byte[20], 0, false, 111, 1, 1, 1, 256, 0)).isEqualTo(-1);
        assertThat(RtpHeaderWriter.writeWithAudioLevel(new byte[20], 0, false, 111, 1, 1, 1, 0, 0)).isEqualTo(-1);
    }

    @Test
    void outboundStreamSharesSequenceNumbersAndCountsForTheSenderReport() {
        OutboundRtp out = new OutboundRtp(0xCAFEL, 48000, 65534, 3);
        byte[] b = new byte[100];
        assertThat(out.headerLength()).isEqualTo(20);
        assertThat(out.writeHeader(b, 0, 111, true, 1000, AudioLevel.pack(20, true), 40, 0)).isEqualTo(20);
        assertThat(p.wrap(b, 0, 60)).isTrue();
        assertThat(p.sequence()).isEqualTo(65534);
        assertThat(AudioLevel.level(p.audioLevel(3))).isEqualTo(20);
        out.writeHeader(b, 0, 126, false, 1000, AudioLevel.SILENCE, 4, 10_000_000);
        out.writeHeader(b, 0, 111, false, 1960, 0, 40, 20_000_000);
        assertThat(p.wrap(b, 0, 60)).isTrue();
        assertThat(p.sequence()).isZero();
        assertThat(out.packetCount()).isEqualTo(3);
        assertThat(out.octetCount()).isEqualTo(84);
        // 30 ms after the last audio timestamp at 48 kHz: +1440
        assertThat(out.rtpTimestampAt(50_000_000)).isEqualTo(1960 + 1440);
        assertThat(out.writeHeader(new byte[5], 0, 111, false, 1, 0, 0, 0)).isEqualTo(-1);
        assertThat(out.nextSequence()).isEqualTo(1);
    }

    @Test
    void audioLevelFromPcm() {
        short[] full = new short[960];
        java.util.Arrays.fill(full, Short.MAX_VALUE);
        assertThat(AudioLevel.fromPcm(full, 0, 960)).isZero();
        short[] silence = new short[960];
        assertThat(AudioLevel.fromPcm(silence, 0, 960)).isEqualTo(127);
        short[] tenth = new short[960];
        java.util.Arrays.fill(tenth, (short) 3277); // 0.1 of full scale: -20 dBov
        assertThat(AudioLevel.fromPcm(tenth, 0, 960)).isEqualTo(20);
    }
}
