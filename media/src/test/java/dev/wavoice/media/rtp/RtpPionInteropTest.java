package dev.wavoice.media.rtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.RecordedPacket;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The rtp package against Pion as WhatsApp's edge: Pion sends RFC 4733 digits "1234#" (48 kHz timestamps, 8 kHz
 * durations, three E-bit packets, as libwebrtc does) and its RTCP (Pion's report interceptors: a bare SR about its
 * stream and a bare RR about ours, no SDES, about every second); we send audio-shaped RTP with the audio level and
 * our SR + SDES compounds on a short schedule.
 */
@Timeout(90)
class RtpPionInteropTest {
    static final Duration T = Duration.ofSeconds(10);
    static WebRtcTransport transport;

    @BeforeAll
    static void open() throws Exception {
        PionPeer.binary();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
    }

    @AfterAll
    static void close() throws Exception {
        transport.close();
    }

    /** Our side of the call as the bridge will wire it: all rtp-package objects built from the negotiation. */
    static final class Call implements MediaListener {
        final List<DtmfEvent> dtmf = new CopyOnWriteArrayList<>();
        final List<Integer> rtcpTypes = new CopyOnWriteArrayList<>();
        final RtcpReader reader = new RtcpReader();
        volatile InboundRtp inbound;
        volatile RtcpSession rtcp;
        volatile OutboundRtp out;

        void start(NegotiatedAudio n, long localSsrc) {
            Random random = new Random();
            out = OutboundRtp.create(localSsrc, 48000, n.audioLevelExtensionId().orElse(0), random);
            long now = System.nanoTime();
            // 500 ms rather than the 5 s of RtcpSession.forCall, so reports flow within the test
            rtcp = new RtcpSession(out, "wavoice-test", new RtcpScheduler(Duration.ofMillis(500), random, now),
                    48000, now, System.currentTimeMillis() * 1_000_000L);
            int eventRate = n.telephoneEvent().orElseThrow().clockRate();
            inbound = new InboundRtp(n.opusPayloadType(), n.telephoneEventPayloadType().orElseThrow(),
                    n.audioLevelExtensionId().orElse(-1), rtcp,
                    new TelephoneEventReceiver(eventRate, Duration.ofMillis(200), dtmf::add));
        }

        @Override
        public void onEvent(EndpointEvent event) {
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            InboundRtp in = inbound;
            if (in != null) {
                in.accept(buf, off, len, System.nanoTime());
            }
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
            RtcpSession s = rtcp;
            if (s != null && s.onRtcp(buf, off, len, System.nanoTime()) && reader.wrap(buf, off, len)) {
                while (reader.next()) {
                    rtcpTypes.add(reader.type());
                }
            }
        }

        List<String> endedDigits() {
            return dtmf.stream().filter(e -> e instanceof DtmfEvent.Ended).map(e -> String.valueOf(e.digit()))
                    .toList();
        }
    }

    @Test
    void receivesPionsDigitsOnceInOrderAndExchangesReports() throws Exception {
        Call call = new Call();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withDtmf("1234#"))) {
            WebRtcEndpoint endpoint = transport.answer("rtp-pion-dtmf", edge.offer(T), call);
            call.start(endpoint.negotiated(), endpoint.localSsrc());
            edge.sendAnswer(endpoint.localDescription());
            endpoint.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);

            // The pacer's job in miniature: a 20 ms audio-shaped packet per tick, RTCP when the scheduler says.
            AtomicBoolean stop = new AtomicBoolean();
            Thread pacer = Thread.ofPlatform().name("test-pacer").start(() -> {
                byte[] buf = new byte[1500];
                byte[] rtcpBuf = new byte[1500];
                long ts = 0;
                for (int i = 0; !stop.get(); i++, ts += 960) {
                    long now = System.nanoTime();
                    byte[] payload = ("\u00f8frame-" + i).getBytes(StandardCharsets.ISO_8859_1);
                    int h = call.out.writeHeader(buf, 0, endpoint.negotiated().opusPayloadType(), i == 0, ts,
                            AudioLevel.pack(30, true), payload.length, now);
                    System.arraycopy(payload, 0, buf, h, payload.length);
                    endpoint.sendRtp(buf, 0, h + payload.length);
                    int n = call.rtcp.poll(rtcpBuf, 0, now);
                    if (n > 0) {
                        endpoint.sendRtcp(rtcpBuf, 0, n);
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                await().atMost(T).until(() -> edge.events().stream()
                        .filter(e -> !e.signal() && e.name().equals("dtmf_sent")).count() == 5);
                await().atMost(Duration.ofSeconds(2)).until(() -> call.endedDigits().size() >= 5);
                // Pion's reports arrive every second; ours every ~0.5 s: wait for both to be seen.
                await().atMost(T).until(() -> call.rtcp.stats().rttMicros() >= 0
                        && call.rtcpTypes.contains(RtcpReader.SR));
                edge.awaitEvent(e -> !e.signal() && e.name().equals("rtp") && e.longValue("rtcp_received") > 0,
                        "rtcp_received > 0", T, e -> false);
            } finally {
                stop.set(true);
                pacer.join(2000);
            }

            assertThat(call.endedDigits()).containsExactly("1", "2", "3", "4", "#");
            assertThat(call.dtmf.stream().filter(e -> e instanceof DtmfEvent.Started).map(DtmfEvent::digit))
                    .containsExactly('1', '2', '3', '4', '#');
            assertThat(call.dtmf).allSatisfy(e -> {
                if (e instanceof DtmfEvent.Ended end) {
                    assertThat(end.endSeen()).isTrue();
                    assertThat(end.durationMillis()).isEqualTo(100);
                    assertThat(end.volume()).isEqualTo(10);
                }
            });
            InboundRtp.Stats in = call.inbound.stats();
            RtcpStats rtcp = call.rtcp.stats();
            ReceptionStats fromPion = call.rtcp.source(endpoint.negotiated().remoteSsrc().orElseThrow());
            System.out.printf("pion interop: inbound %s; rtcp %s; types seen %s; from pion: expected %d lost %d "
                    + "jitter %.2f ms; pion counters %s%n", in, rtcp, call.rtcpTypes.stream().distinct().toList(),
                    fromPion.expected(), fromPion.lost(), fromPion.jitterMillis(), edge.counters());
            // Pion's edge offers ssrc-audio-level as WhatsApp does: we answered it and send it on every packet.
            assertThat(endpoint.negotiated().audioLevelExtensionId()).isPresent();
            assertThat(call.out.audioLevelEnabled()).isTrue();
            assertThat(edge.counters().packetsReceived()).isPositive();
            assertThat(in.malformed()).isZero();
            assertThat(in.events()).isGreaterThanOrEqualTo(5 * 7 - 2);
            assertThat(rtcp.malformed()).isZero();
            assertThat(rtcp.received()).isPositive();
            // Pion's RR about our stream echoed our SR: RTT over loopback is well under 100 ms.
            assertThat(rtcp.rttMicros()).isBetween(0L, 100_000L);
            assertThat(rtcp.remoteCumulativeLost()).isZero();
            assertThat(fromPion.lost()).isZero();
            assertThat(edge.counters().rtcpReceived()).isPositive();
            endpoint.close();
        }
    }

    @Test
    void pionRecordsOurDigitsInTheAudioStream() throws Exception {
        java.nio.file.Path rec = java.nio.file.Files.createTempDirectory("rtp-pion-rec").resolve("rec.bin");
        Call call = new Call();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withRecord(rec))) {
            WebRtcEndpoint endpoint = transport.answer("rtp-pion-dtmf-out", edge.offer(T), call);
            call.start(endpoint.negotiated(), endpoint.localSsrc());
            edge.sendAnswer(endpoint.localDescription());
            endpoint.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);
            int opus = endpoint.negotiated().opusPayloadType();
            int eventPt = endpoint.negotiated().telephoneEventPayloadType().orElseThrow();
            TelephoneEventSender dtmf = TelephoneEventSender.defaults(eventPt);
            byte[] buf = new byte[1500];
            long ts = 123_456;
            int sent = 0;
            for (int slot = 0; slot < 100 && (slot <= 5 || !dtmf.idle()); slot++, ts += 960) {
                if (slot == 5) {
                    assertThat(dtmf.send("1234#")).isTrue();
                }
                long now = System.nanoTime();
                int n = dtmf.poll(call.out, ts, buf, 0, now);
                if (n == 0) {
                    byte[] payload = ("\u00f8frame-" + slot).getBytes(StandardCharsets.ISO_8859_1);
                    int h = call.out.writeHeader(buf, 0, opus, slot == 0, ts, AudioLevel.pack(30, true),
                            payload.length, now);
                    System.arraycopy(payload, 0, buf, h, payload.length);
                    n = h + payload.length;
                }
                assertThat(endpoint.sendRtp(buf, 0, n)).isTrue();
                sent++;
                Thread.sleep(20);
            }
            assertThat(dtmf.sentDigits()).isEqualTo(5);
            edge.awaitPacketsReceived(sent, T);
            endpoint.close();
            edge.requestClose();
            edge.awaitExit(T);
            List<RecordedPacket> got = edge.recording();
            assertThat(got).hasSize(sent);
            // one sequence space for audio and events, no gaps
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).sequence()).isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
            }
            List<RecordedPacket> events = got.stream().filter(p -> p.payloadType() == eventPt).toList();
            assertThat(events).hasSize(5 * 7);
            assertThat(events.stream().filter(RecordedPacket::marker)).hasSize(5);
            List<DtmfEvent> decoded = new java.util.ArrayList<>();
            TelephoneEventReceiver rx = TelephoneEventReceiver.withDefaults(decoded::add);
            for (RecordedPacket p : events) {
                rx.onPacket(p.timestamp(), p.payload(), 0, p.payload().length, p.arrivalMicros() * 1000);
            }
            assertThat(decoded.stream().filter(e -> e instanceof DtmfEvent.Ended).map(DtmfEvent::digit))
                    .containsExactly('1', '2', '3', '4', '#');
        }
    }
}
