package dev.wavoice.media.webrtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.interop.PionPeer;
import dev.wavoice.media.interop.RecordedPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our endpoint answering Pion playing WhatsApp's edge: an ICE-lite offerer with {@code setup:actpass}, Opus 111,
 * telephone-event 126 and one host candidate, exactly the shape of the shared WhatsApp fixture. Pion is an
 * independent WebRTC implementation: if it connects and echoes, the handshake is not just self-consistent.
 */
@Timeout(90)
class PionEdgeInteropTest {
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

    @Test
    void answersWhatsAppsShapeConnectsAndCarriesRtpBothWays() throws Exception {
        RecordingListener ours = new RecordingListener();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withEcho())) {
            String offer = edge.offer(T);
            long t0 = System.nanoTime();
            WebRtcEndpoint endpoint = transport.answer("pion-edge", offer, ours);
            long answerMicros = (System.nanoTime() - t0) / 1000;
            String answer = endpoint.localDescription();

            assertThat(answer.lines().toList())
                    .contains("a=setup:active", "a=mid:audio", "a=group:BUNDLE audio", "a=rtcp-mux",
                            "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "a=sendrecv")
                    .noneMatch(l -> l.startsWith("a=ice-lite"))
                    .anyMatch(l -> l.matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"))
                    .anyMatch(l -> l.matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host.*"));
            assertThat(answer.lines().filter(l -> l.startsWith("a=fingerprint:"))).hasSize(1);
            assertThat(answerMicros).as("offer to answer, µs (cold JIT)").isLessThan(2_000_000);

            edge.sendAnswer(answer);
            endpoint.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);
            assertThat(ours.events.getFirst()).isInstanceOf(EndpointEvent.Connected.class);
            assertThat(endpoint.negotiated().remoteIceLite()).isTrue();

            long ssrc = endpoint.localSsrc();
            for (int i = 0; i < 50; i++) {
                byte[] packet = RtpPackets.numbered(111, i, ssrc);
                assertThat(endpoint.sendRtp(packet, 0, packet.length)).isTrue();
                Thread.sleep(5);
            }
            // Pion echoes every payload back on its own track: we must decrypt each one.
            await().atMost(T).until(() -> ours.rtp.size() >= 45);
            assertThat(ours.payloads()).contains("\u00f8frame-0", "\u00f8frame-25", "\u00f8frame-49");
            edge.awaitPacketsReceived(45, T);
            assertThat(endpoint.stats().droppedSrtp()).isZero();
            endpoint.close();
        }
    }

    @Test
    void receivesWhatPionSendsInOrder() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pion-send");
        List<byte[]> frames = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            frames.add(("\u00f8pion-" + i).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        java.nio.file.Path file = dir.resolve("send.opus");
        dev.wavoice.media.interop.OpusStreamFile.write(file, frames);
        RecordingListener ours = new RecordingListener();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(file))) {
            WebRtcEndpoint endpoint = transport.answer("pion-sender", edge.offer(T), ours);
            edge.sendAnswer(endpoint.localDescription());
            endpoint.connected().get(10, TimeUnit.SECONDS);
            await().atMost(T).until(() -> ours.payloads().contains("\u00f8pion-29"));
            assertThat(ours.payloads()).hasSizeGreaterThanOrEqualTo(25);
            assertThat(ours.rtp).allSatisfy(p -> assertThat(p[1] & 0x7F).isEqualTo(111));
            endpoint.close();
        }
    }

    @Test
    void aWrongFingerprintInTheOfferRefusesTheHandshake() throws Exception {
        RecordingListener ours = new RecordingListener();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withConnectTimeout(Duration.ofSeconds(5)))) {
            String offer = edge.offer(T);
            // Flip one byte of the certificate fingerprint: ICE still works, DTLS must not.
            String forged = offer.replaceFirst("(a=fingerprint:sha-256 )([0-9A-F])([0-9A-F])",
                    "$1$2" + "0");
            if (forged.equals(offer)) {
                forged = offer.replaceFirst("(a=fingerprint:sha-256 )([0-9A-F])([0-9A-F])", "$1$2" + "1");
            }
            long mismatchesBefore = transport.failureStats().dtlsFingerprintMismatch();
            WebRtcEndpoint endpoint = transport.answer("pion-forged", forged, ours);
            edge.sendAnswer(endpoint.localDescription());
            await().atMost(T).until(() -> !ours.events.isEmpty());
            assertThat(ours.events.getFirst()).isInstanceOfSatisfying(EndpointEvent.Failed.class,
                    f -> assertThat(f.reason()).containsIgnoringCase("fingerprint"));
            assertThat(transport.failureStats().dtlsFingerprintMismatch()).isEqualTo(mismatchesBefore + 1);
            assertThat(endpoint.connected()).isCompletedExceptionally();
            assertThat(endpoint.sendRtp(new byte[20], 0, 20)).isFalse();
        }
    }

    @Test
    void pionRecordsWhatWeSend() throws Exception {
        java.nio.file.Path rec = java.nio.file.Files.createTempDirectory("pion-rec").resolve("rec.bin");
        RecordingListener ours = new RecordingListener();
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withRecord(rec))) {
            WebRtcEndpoint endpoint = transport.answer("pion-recorder", edge.offer(T), ours);
            edge.sendAnswer(endpoint.localDescription());
            endpoint.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);
            for (int i = 0; i < 20; i++) {
                byte[] packet = RtpPackets.numbered(111, 100 + i, endpoint.localSsrc());
                endpoint.sendRtp(packet, 0, packet.length);
                Thread.sleep(5);
            }
            edge.awaitPacketsReceived(18, T);
            endpoint.close();
            edge.requestClose();
            edge.awaitExit(T);
            List<RecordedPacket> got = edge.recording();
            assertThat(got).hasSizeGreaterThanOrEqualTo(18);
            assertThat(new String(got.getLast().payload(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .startsWith("\u00f8frame-1");
        }
    }
}
