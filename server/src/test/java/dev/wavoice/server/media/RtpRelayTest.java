package dev.wavoice.server.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtpHeaderWriter;
import dev.wavoice.media.rtp.RtpPacket;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The relay's re-stamping, packet by packet: the receiver's SSRC, payload type and audio-level id; a sequence that
 * continues and a timeline that keeps its spacing whatever the source, also when the source changes (a replaced
 * agent leg); the payload byte for byte.
 */
class RtpRelayTest {
    static final long OUR_SSRC = 0x0A0B0C0DL;
    static final int OUT_PT = 111, OUT_LEVEL_ID = 3;

    private final byte[] in = new byte[1500], out = new byte[1500];
    private final RtpPacket view = new RtpPacket(), result = new RtpPacket();

    /** A source packet: PT 96, audio level id 1 (another numbering than the receiver's). */
    private RtpPacket source(long ssrc, int seq, long ts, boolean marker, byte[] payload, int level) {
        int h = RtpHeaderWriter.writeWithAudioLevel(in, 0, marker, 96, seq, ts, ssrc, 1, level);
        System.arraycopy(payload, 0, in, h, payload.length);
        assertThat(view.wrap(in, 0, h + payload.length)).isTrue();
        return view;
    }

    private RtpPacket relayed(RtpRelay relay, RtpPacket p, long nowNanos) {
        int n = relay.relay(p, 1, out, nowNanos);
        assertThat(n).isPositive();
        assertThat(result.wrap(out, 0, n)).isTrue();
        return result;
    }

    private static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void packetsAreRestampedIntoTheReceiversStreamWithThePayloadUntouched() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 1000, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(1));
        long ts0 = -1;
        for (int i = 0; i < 5; i++) {
            byte[] payload = payload(60 + i, i);
            RtpPacket r = relayed(relay, source(0x1111, 65534 + i, 4_000_000_000L + 960L * i, false, payload,
                    AudioLevel.pack(30, true)), i * 20_000_000L);
            assertThat(r.ssrc()).isEqualTo(OUR_SSRC);
            assertThat(r.payloadType()).isEqualTo(OUT_PT);
            assertThat(r.sequence()).isEqualTo(1000 + i);
            assertThat(r.marker()).as("marker on the first packet of a source only").isEqualTo(i == 0);
            ts0 = i == 0 ? r.timestamp() : ts0;
            assertThat((r.timestamp() - ts0) & 0xFFFF_FFFFL).as("spacing kept across the source's wrap").isEqualTo(960L * i);
            assertThat(r.audioLevel(OUT_LEVEL_ID)).as("the level under the receiver's id").isEqualTo(AudioLevel.pack(30, true));
            assertThat(Arrays.copyOfRange(out, r.payloadOffset(), r.payloadOffset() + r.payloadLength())).isEqualTo(payload);
        }
    }

    @Test
    void aNewSourceContinuesTheSequenceAndTheTimelineByTheTimeThatPassed() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 500, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(2));
        RtpPacket first = relayed(relay, source(0xAAAA, 10, 123_456, false, payload(40, 1), 0x80 | 20), 0);
        long lastTs = first.timestamp();
        // The old leg is gone; 300 ms later a new one starts with its own SSRC, sequence and timestamp base.
        RtpPacket next = relayed(relay, source(0xBBBB, 40_000, 7_777_777, false, payload(40, 2), 0x80 | 20),
                300_000_000L);
        assertThat(next.sequence()).isEqualTo(501);
        assertThat(next.marker()).as("a new talkspurt for the receiver's jitter buffer").isTrue();
        long nextTs = next.timestamp();
        assertThat((nextTs - lastTs) & 0xFFFF_FFFFL).as("300 ms at 48 kHz").isEqualTo(14_400L);
        RtpPacket after = relayed(relay, source(0xBBBB, 40_001, 7_777_777 + 960, false, payload(40, 3), 0x80 | 20),
                320_000_000L);
        assertThat((after.timestamp() - nextTs) & 0xFFFF_FFFFL).isEqualTo(960L);
        assertThat(after.marker()).isFalse();
        assertThat(relay.rebased()).isEqualTo(1);
    }

    @Test
    void withoutTheSourcesLevelASmallPayloadCountsAsSilence() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 1, OUT_LEVEL_ID), OUT_PT,
                new SplittableRandom(3));
        int h = RtpHeaderWriter.write(in, 0, false, 96, 1, 960, 0x2222);
        System.arraycopy(payload(3, 4), 0, in, h, 3);
        assertThat(view.wrap(in, 0, h + 3)).isTrue();
        int n = relay.relay(view, 0, out, 0);
        assertThat(result.wrap(out, 0, n)).isTrue();
        assertThat(AudioLevel.voice(result.audioLevel(OUT_LEVEL_ID))).isFalse();
        assertThat(AudioLevel.level(result.audioLevel(OUT_LEVEL_ID))).isEqualTo(AudioLevel.SILENCE);
    }

    @Test
    void ourOwnPacketsFollowTheRelayedOnesWithoutAGap() {
        RtpRelay relay = new RtpRelay(new OutboundRtp(OUR_SSRC, 48_000, 7, 0), OUT_PT, new SplittableRandom(5));
        RtpPacket last = relayed(relay, source(0x3333, 1, 1_000, false, payload(50, 6), 0), 0);
        long ts = last.timestamp();
        int n = relay.own(payload(30, 7), true, out, 5_000_000L);
        assertThat(result.wrap(out, 0, n)).isTrue();
        assertThat(result.sequence()).isEqualTo(8);
        assertThat((result.timestamp() - ts) & 0xFFFF_FFFFL).isEqualTo(960L);
        assertThat(result.hasExtension()).as("no audio level when the receiver negotiated none").isFalse();
    }
}
