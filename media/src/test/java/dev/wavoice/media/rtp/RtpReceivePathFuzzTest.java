package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A call's receive path after SRTP: decrypted datagrams of any content, RTP or RTCP, at any moments, through
 * {@link InboundRtp} (audio, telephone events, RFC 3550 A.1 source validation) and {@link RtcpSession} (SR, RR, BYE,
 * round-trip time). Every RTP datagram is counted once, as audio handed on, an event, malformed, an unknown payload
 * type or not yet counted; every RTCP one as received or malformed; and the reports we write about what arrived
 * stay readable: an SR or RR with well-formed blocks, then our CNAME.
 */
class RtpReceivePathFuzzTest {
    private static final int OPUS = 111;
    private static final int EVENTS = 126;
    private static final int LEVEL_ID = 1;

    @FuzzTest
    void everyDatagramCountedOnceAndReportsReadable(FuzzedDataProvider data) {
        OutboundRtp out = new OutboundRtp(0x5EED_0001L, 48_000, 100, LEVEL_ID);
        RtcpSession session = new RtcpSession(out, "fuzz@wavoice", new RtcpScheduler(Duration.ofSeconds(5),
                new Random(1), 0), 48_000, 0, 1_700_000_000_000_000_000L);
        List<DtmfEvent> digits = new ArrayList<>();
        InboundRtp inbound = new InboundRtp(OPUS, EVENTS, LEVEL_ID, session, TelephoneEventReceiver.withDefaults(digits::add));
        RtcpReader reader = new RtcpReader();
        byte[] report = new byte[1500];
        long now = 0, rtpCalls = 0, rtcpCalls = 0;
        int steps = data.consumeInt(0, 300);
        for (int i = 0; i < steps && data.remainingBytes() > 0; i++) {
            now += data.consumeLong(0, 200_000_000L);
            switch (data.consumeInt(0, 3)) {
                case 0 -> {
                    byte[] b = data.consumeBytes(data.consumeInt(0, 300));
                    session.onRtcp(b, 0, b.length, now);
                    rtcpCalls++;
                }
                case 1 -> {
                    int n = session.writeReport(report, 0, now);
                    assertThat(n).isPositive();
                    assertThat(reader.wrap(report, 0, n)).isTrue();
                    assertThat(reader.next()).isTrue();
                    assertThat(reader.type()).isIn(RtcpReader.SR, RtcpReader.RR);
                    for (int k = 0; k < reader.reportCount(); k++) {
                        ReportBlock block = reader.reportBlock(k);
                        assertThat(block.fractionLost()).isBetween(0, 255);
                    }
                    assertThat(reader.next()).isTrue();
                    assertThat(reader.cname()).isEqualTo("fuzz@wavoice");
                    assertThat(reader.next()).isFalse();
                }
                default -> {
                    byte[] b = rtpLike(data);
                    RtpPacket audio = inbound.accept(b, 0, b.length, now);
                    rtpCalls++;
                    if (audio != null && (audio.payloadType() != OPUS
                            || audio.payloadOffset() + audio.payloadLength() > b.length)) {
                        throw new AssertionError("handed on as audio: " + audio);
                    }
                }
            }
            // Plain checks every step: AssertJ's cost per call, times hundreds of steps, would slow fuzzing tenfold.
            InboundRtp.Stats s = inbound.stats();
            RtcpStats r = session.stats();
            double loss = session.inbound().lossFraction();
            if (s.audio() + s.events() + s.malformed() + s.unknownPayloadType() + s.notCounted() != rtpCalls
                    || r.received() + r.malformed() != rtcpCalls || r.rttMicros() < -1 || !(loss >= 0)) {
                throw new AssertionError("after " + rtpCalls + " RTP and " + rtcpCalls + " RTCP datagrams: " + s
                        + ", " + r + ", loss " + loss);
            }
        }
    }

    /** Mostly RTP that gets past the first checks (version 2, our payload types, a few sources), else raw bytes. */
    private static byte[] rtpLike(FuzzedDataProvider data) {
        if (data.consumeInt(0, 7) == 0) {
            return data.consumeBytes(data.consumeInt(0, 200));
        }
        byte[] b = new byte[RtpHeaderWriter.HEADER_WITH_AUDIO_LEVEL + 40];
        int pt = data.pickValue(new int[] {OPUS, EVENTS, 0, 127});
        long ssrc = data.pickValue(new long[] {1, 2, 0xFFFF_FFFFL});
        int header = data.consumeBoolean()
                ? RtpHeaderWriter.writeWithAudioLevel(b, 0, data.consumeBoolean(), pt, data.consumeInt(0, 0xFFFF),
                        data.consumeInt() & 0xFFFF_FFFFL, ssrc, LEVEL_ID, data.consumeInt(0, 255))
                : RtpHeaderWriter.write(b, 0, data.consumeBoolean(), pt, data.consumeInt(0, 0xFFFF),
                        data.consumeInt() & 0xFFFF_FFFFL, ssrc);
        byte[] payload = data.consumeBytes(40);
        System.arraycopy(payload, 0, b, header, payload.length);
        return java.util.Arrays.copyOf(b, header + payload.length);
    }
}
