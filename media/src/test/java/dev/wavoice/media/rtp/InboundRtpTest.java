package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InboundRtpTest {
    static final long MS = 1_000_000;

    final List<DtmfEvent> digits = new ArrayList<>();
    final RtcpSession session = new RtcpSession(new OutboundRtp(1, 48000, 0, 0), "c",
            new RtcpScheduler(Duration.ofSeconds(5), new Random(1), 0), 48000, 0, 0);
    final InboundRtp in = new InboundRtp(111, 126, 1, session, TelephoneEventReceiver.withDefaults(digits::add));
    final OutboundRtp peer = new OutboundRtp(0xFEED, 48000, 500, 1);
    final byte[] b = new byte[100];

    int audio(long ts, int level) {
        int h = peer.writeHeader(b, 0, 111, false, ts, level, 10, 0);
        return h + 10;
    }

    @Test
    void audioIsHandedOnWithItsLevelAfterProbation() {
        int n = audio(0, AudioLevel.pack(40, true));
        assertThat(in.accept(b, 0, n, 0)).isNull(); // A.1 probation: the first packet of a new source
        n = audio(960, AudioLevel.pack(35, false));
        RtpPacket p = in.accept(b, 0, n, 20 * MS);
        assertThat(p).isNotNull();
        assertThat(p.payloadLength()).isEqualTo(10);
        assertThat(AudioLevel.level(in.lastAudioLevel())).isEqualTo(35);
        assertThat(AudioLevel.voice(in.lastAudioLevel())).isFalse();
        assertThat(in.stats()).isEqualTo(new InboundRtp.Stats(1, 0, 0, 0, 1));
        assertThat(session.source(0xFEED).received()).isEqualTo(1);
    }

    @Test
    void eventsGoToTheReceiverEvenOnProbationAndCountForLoss() {
        TelephoneEventSender tx = TelephoneEventSender.defaults(126);
        tx.send("9");
        for (int slot = 0; slot < 7; slot++) {
            int n = tx.poll(peer, 4800, b, 0, slot * 20 * MS);
            assertThat(in.accept(b, 0, n, slot * 20 * MS)).isNull();
        }
        assertThat(digits).extracting(DtmfEvent::digit).containsExactly('9', '9');
        assertThat(in.stats().events()).isEqualTo(7);
        assertThat(session.source(0xFEED).expected()).isEqualTo(6);
    }

    @Test
    void anEventWithoutEndPacketsEndsWhenAudioHasFlowedPastTheTimeout() {
        TelephoneEventSender tx = TelephoneEventSender.defaults(126);
        tx.send("4");
        for (int slot = 0; slot < 4; slot++) { // tone packets only: every E packet lost
            int n = tx.poll(peer, 4800, b, 0, 0);
            in.accept(b, 0, n, slot * 20 * MS);
        }
        int n = audio(4800 + 960 * 8, 0);
        in.accept(b, 0, n, 200 * MS);
        assertThat(digits).hasSize(1);
        n = audio(4800 + 960 * 9, 0);
        in.accept(b, 0, n, 300 * MS);
        assertThat(digits).hasSize(2);
        assertThat(digits.getLast()).isInstanceOfSatisfying(DtmfEvent.Ended.class,
                e -> assertThat(e.endSeen()).isFalse());
    }

    @Test
    void malformedAndUnknownPayloadTypesAreCountedAndDropped() {
        assertThat(in.accept(new byte[] {1, 2, 3}, 0, 3, 0)).isNull();
        int h = RtpHeaderWriter.write(b, 0, false, 0, 1, 1, 1); // PCMU: not negotiated
        assertThat(in.accept(b, 0, h + 5, 0)).isNull();
        InboundRtp.Stats s = in.stats();
        assertThat(s.malformed()).isEqualTo(1);
        assertThat(s.unknownPayloadType()).isEqualTo(1);
        assertThat(session.source(1)).isNull();
    }

    @Test
    void withoutTelephoneEventsItsPayloadTypeIsUnknown() {
        InboundRtp plain = new InboundRtp(111, -1, -1, session, null);
        int h = RtpHeaderWriter.write(b, 0, true, 126, 1, 1, 1);
        assertThat(plain.accept(b, 0, h + 4, 0)).isNull();
        assertThat(plain.stats().unknownPayloadType()).isEqualTo(1);
    }
}
