package dev.wavoice.media.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wavoice.media.dtls.DtlsRole;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Pion test peer against itself, wired through the Java harness exactly as our endpoint will
 * be: Java reads the edge's offer, hands it to the answerer, and returns the answer to the edge.
 * Proves the harness and the peer before our own WebRTC stack is put in the answerer's place.
 */
@Timeout(60)
class PionPeerSelfTest {
    private static final Duration T = Duration.ofSeconds(10);

    @BeforeAll
    static void buildPeer() {
        PionPeer.binary();
    }

    @TempDir
    Path dir;

    @Test
    void edgeOfferLooksLikeWhatsApps() {
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge())) {
            String offer = edge.offer(T);
            assertThat(offer.lines().toList())
                    .contains("a=ice-lite", "a=setup:actpass", "a=mid:audio", "a=group:BUNDLE audio", "a=rtcp-mux",
                            "a=sendrecv", "a=rtpmap:111 opus/48000/2", "a=fmtp:111 minptime=10;useinbandfec=1",
                            "a=rtpmap:126 telephone-event/8000",
                            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level")
                    .anyMatch(l -> l.matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"))
                    .anyMatch(l -> l.matches("a=ice-ufrag:\\w+/\\w+"))
                    .anyMatch(l -> l.matches("m=audio \\d+ UDP/TLS/RTP/SAVPF 111 126"))
                    .contains("c=IN IP4 127.0.0.1");
            List<String> candidates = offer.lines().filter(l -> l.startsWith("a=candidate:")).toList();
            assertThat(candidates).singleElement().asString()
                    .matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host generation 0 .*");
            assertThat(offer).contains("\r\n").doesNotContain("a=fingerprint:sha-1", "a=extmap-allow-mixed");
        }
    }

    @Test
    void edgeAndAnswererConnectAndEchoThroughTheHarness() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Not real Opus (the peers do not decode): a CELT 20 ms TOC byte and a numbered body.
            frames.add(("\u00f8frame-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve("send.opus");
        OpusStreamFile.write(send, frames);
        assertThat(OpusStreamFile.read(send)).hasSize(frames.size());
        Path rec = dir.resolve("edge.rec");

        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withSendOpusFile(send).withRecord(rec));
             PionPeer answerer = PionPeer.start(PionPeer.Options.answerer())) {
            String offer = edge.offer(T);
            assertThat(offer).contains("a=ice-lite", "a=setup:actpass");

            answerer.sendOffer(offer);
            String answer = answerer.answer(T);
            assertThat(answer).contains("a=setup:active", "a=rtpmap:111 opus/48000/2",
                    "a=rtpmap:126 telephone-event/8000").doesNotContain("a=ice-lite");

            edge.sendAnswer(answer);
            PionEvent edgeConnected = edge.awaitConnected(T);
            answerer.awaitConnected(T);
            for (PionPeer p : List.of(edge, answerer)) {
                p.awaitState("ice", "connected", T);
                p.awaitState("dtls", "connected", T);
            }
            assertThat(edge.event("selected_pair")).get()
                    .satisfies(e -> assertThat(e.string("local")).startsWith("udp 127.0.0.1:"));

            double applied = edge.event("answer_applied").orElseThrow().tMs();
            double setupMs = edgeConnected.tMs() - applied;
            double answerMs = answerer.awaitEvent(e -> e.signal() && e.name().equals("answer"), "answer", T, e -> false)
                    .tMs() - answerer.event("offer_received").orElseThrow().tMs();
            System.out.printf("Pion edge: answer applied -> connected %.1f ms; Pion answerer: offer -> answer %.1f ms%n",
                    setupMs, answerMs);
            assertThat(setupMs).isBetween(0.0, 2000.0);

            // Edge -> answerer -> (echo) -> edge.
            edge.awaitPacketsReceived(frames.size(), T);
            answerer.awaitPacketsReceived(frames.size(), T);
            edge.requestClose();
            PionEvent summary = edge.awaitSummary(T);
            assertThat(edge.awaitExit(T)).isZero();
            assertThat(summary.bool("connected")).isTrue();
            assertThat(summary.longValue("packets_sent")).isEqualTo(frames.size());

            List<RecordedPacket> got = edge.recording();
            assertThat(got).hasSize(frames.size());
            assertThat(got).allSatisfy(p -> assertThat(p.payloadType()).isEqualTo(111));
            assertThat(got.getFirst().marker()).isTrue();
            assertThat(got.stream().map(p -> new String(p.payload(), StandardCharsets.ISO_8859_1)))
                    .containsExactlyElementsOf(frames.stream()
                            .map(f -> new String(f, StandardCharsets.ISO_8859_1)).toList());
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).sequence()).isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
                assertThat(got.get(i).timestamp()).isEqualTo((got.get(i - 1).timestamp() + 960) & 0xFFFFFFFFL);
            }
        }
    }

    @Test
    void edgeSendsRfc4733DigitsTheEchoBringsBack() {
        Path rec = dir.resolve("dtmf.rec");
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge().withDtmf("1#").withRecord(rec)
                     .withArgs("-dtmf-delay=0s"));
             PionPeer answerer = PionPeer.start(PionPeer.Options.answerer())) {
            answerer.sendOffer(edge.offer(T));
            edge.sendAnswer(answerer.answer(T));
            edge.awaitConnected(T);
            // Per digit: 5 packets of 20 ms (100 ms tone), the last with the E bit, plus 2 more end copies.
            edge.awaitPacketsReceived(14, T);
            edge.requestClose();
            assertThat(edge.awaitExit(T)).isZero();
            assertThat(edge.awaitSummary(T).longValue("dtmf_sent")).isEqualTo(2);

            List<RecordedPacket> got = edge.recording();
            assertThat(got).hasSize(14).allSatisfy(p -> assertThat(p.payloadType()).isEqualTo(126));
            Map<Long, List<RecordedPacket>> byEvent = got.stream()
                    .collect(Collectors.groupingBy(RecordedPacket::timestamp, TreeMap::new, Collectors.toList()));
            assertThat(byEvent).hasSize(2);
            List<Integer> codes = new ArrayList<>();
            for (List<RecordedPacket> event : byEvent.values()) {
                assertThat(event).hasSize(7);
                codes.add(Byte.toUnsignedInt(event.getFirst().payload()[0]));
                assertThat(event.getFirst().marker()).isTrue();
                for (int i = 0; i < event.size(); i++) {
                    byte[] p = event.get(i).payload();
                    boolean end = (p[1] & 0x80) != 0;
                    int volume = p[1] & 0x3F;
                    int duration = ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
                    assertThat(p).hasSize(4);
                    assertThat(volume).isEqualTo(10);
                    assertThat(end).as("E bit of packet %d", i).isEqualTo(i >= 4);
                    assertThat(duration).as("duration of packet %d", i).isEqualTo(Math.min(i + 1, 5) * 160);
                    assertThat(event.get(i).marker()).isEqualTo(i == 0);
                }
            }
            assertThat(codes).containsExactly(1, 11);
        }
    }

    @Test
    void fullIceOffererConnectsToTheAnswerer() {
        try (PionPeer offerer = PionPeer.start(PionPeer.Options.offererFull());
             PionPeer answerer = PionPeer.start(PionPeer.Options.answerer())) {
            String offer = offerer.offer(T);
            assertThat(offer).contains("a=setup:actpass", "a=candidate:").doesNotContain("a=ice-lite");
            answerer.sendOffer(offer);
            offerer.sendAnswer(answerer.answer(T));
            offerer.awaitConnected(T);
            answerer.awaitConnected(T);
            offerer.requestClose();
            assertThat(offerer.awaitExit(T)).isZero();
        }
    }

    @ParameterizedTest(name = "edge is DTLS {0}")
    @EnumSource(DtlsRole.class)
    void edgeAnswererAnswersLiteWithTheSetupItWasGivenAndEchoes(DtlsRole role) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            frames.add(("\u00f8echo-" + i).getBytes(StandardCharsets.ISO_8859_1));
        }
        Path send = dir.resolve("send-" + role + ".opus");
        OpusStreamFile.write(send, frames);
        Path rec = dir.resolve("offerer-" + role + ".rec");
        try (PionPeer offerer = PionPeer.start(PionPeer.Options.offererFull().withSendOpusFile(send).withRecord(rec));
             PionPeer edge = PionPeer.start(PionPeer.Options.edgeAnswerer(role).withEcho())) {
            assertThatThrownBy(edge::offer).isInstanceOf(IllegalStateException.class);
            edge.sendOffer(offerer.offer(T));
            String answer = edge.answer(T);
            assertThat(answer.lines().toList())
                    .contains("a=ice-lite", role == DtlsRole.CLIENT ? "a=setup:active" : "a=setup:passive",
                            "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "c=IN IP4 127.0.0.1")
                    .anyMatch(l -> l.matches("a=ice-ufrag:\\w+/\\w+"))
                    .anyMatch(l -> l.matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"));
            assertThat(answer.lines().filter(l -> l.startsWith("a=setup:"))).hasSize(1);
            assertThat(answer.lines().filter(l -> l.startsWith("a=candidate:"))).singleElement().asString()
                    .matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host generation 0 .*");
            offerer.sendAnswer(answer);
            offerer.awaitConnected(T);
            edge.awaitConnected(T);
            // Offerer -> edge -> (echo) -> offerer.
            offerer.awaitPacketsReceived(frames.size(), T);
            edge.requestClose();
            assertThat(edge.awaitExit(T)).isZero();
            PionEvent summary = edge.awaitSummary(T);
            assertThat(summary.string("mode")).isEqualTo("edge-answerer");
            assertThat(summary.longValue("packets_sent")).isEqualTo(frames.size());
            offerer.requestClose();
            offerer.awaitExit(T);
            assertThat(offerer.recording().stream().map(p -> new String(p.payload(), StandardCharsets.ISO_8859_1)))
                    .containsExactlyElementsOf(frames.stream()
                            .map(f -> new String(f, StandardCharsets.ISO_8859_1)).toList());
        }
    }

    @Test
    void aDtlsRoleIsChosenForTheEdgeAnswererOnly() {
        assertThat(PionPeer.Options.edgeAnswerer(DtlsRole.SERVER).toArgs())
                .containsSequence("-mode=edge-answerer", "-dtls-role=server");
        assertThatThrownBy(() -> new PionPeer.Options(PionPeer.Mode.EDGE, DtlsRole.CLIENT, false, null, null, null,
                null, null, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBrokenAnswerFailsFastWithThePeersReason() {
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edge())) {
            edge.offer(T);
            edge.sendAnswer("v=0\r\nthis is not an answer\r\n");
            assertThatThrownBy(() -> edge.awaitConnected(T))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("applying the answer");
            assertThat(edge.awaitExit(T)).isNotZero();
        }
    }

    @Test
    void jsonLinesRoundTrip() {
        String sdp = "v=0\r\na=ice-ufrag:ab/c\r\n\"quoted\"\\\t";
        String line = JsonTree.write(new java.util.LinkedHashMap<>(Map.of("type", "answer", "sdp", sdp)));
        assertThat(JsonTree.parseObject(line)).containsEntry("type", "answer").containsEntry("sdp", sdp);
        PionEvent e = PionEvent.parse("{\"event\":\"rtp\",\"t_ms\":12.5,\"packets_received\":3,\"ok\":true,"
                + "\"x\":null,\"s\":\"a\\u003cb\"}");
        assertThat(e.name()).isEqualTo("rtp");
        assertThat(e.tMs()).isEqualTo(12.5);
        assertThat(e.longValue("packets_received")).isEqualTo(3);
        assertThat(e.bool("ok")).isTrue();
        assertThat(e.string("s")).isEqualTo("a<b");
    }
}
