package dev.wavoice.media.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.audio.Tones;
import dev.wavoice.media.dtls.DtlsRole;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.stream.AudioStream;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.stream.PcmRecorder;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.EndpointFailureStats;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A business-initiated call at the media level: our endpoint offers ({@link WebRtcTransport#offer}), Pion playing
 * WhatsApp's ICE-lite edge answers with {@code a=setup:active} or {@code a=setup:passive}, and
 * {@link WebRtcEndpoint#applyAnswer} brings the path up with us in the other DTLS role. A tone each way is told
 * apart by frequency, DTMF from the edge arrives as digits, and answers the edge must not send are refused and
 * counted. The time from applyAnswer to connected is logged for both roles (issue #16: 30 ms p99 on loopback).
 */
@Timeout(240)
class PionEdgeAnswererTest {
    private static final Duration T = Duration.ofSeconds(15);
    private static final int PCM_RATE = 24_000;
    private static WebRtcTransport transport;
    private static Pacer pacer;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        PionPeer.binary();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        pacer = new Pacer(PacerConfig.defaults()).start();
    }

    @AfterAll
    static void close() throws Exception {
        pacer.close();
        transport.close();
    }

    @ParameterizedTest(name = "edge is DTLS {0}")
    @EnumSource(DtlsRole.class)
    void ourOfferIsAnsweredByTheLiteEdgeAndAudioAndDtmfFlowBothWays(DtlsRole edgeRole) throws Exception {
        double edgeSaysHz = TestAudio.randomTone(300, 900);
        double weSayHz = TestAudio.otherTone(edgeSaysHz);
        Path rec = dir.resolve("edge.rec");
        // Tone for 2 s, then the digits once it has ended, so neither masks the other.
        PionPeer.Options options = PionPeer.Options.edgeAnswerer(edgeRole)
                .withSendOpusFile(TestAudio.toneFileWithFec(dir, edgeSaysHz, 100)).withRecord(rec)
                .withDtmf("7*3").withArgs("-dtmf-delay=2300ms");
        PcmRecorder heard = new PcmRecorder(PCM_RATE * 20);
        AudioStream stream = new AudioStream(AudioStreamConfig.speech(PCM_RATE), TestAudio.CODEC, pacer, heard);
        try (PionPeer edge = PionPeer.start(options);
             WebRtcEndpoint endpoint = transport.offer("biz-" + edgeRole, stream)) {
            String offer = endpoint.localDescription();
            assertOfferIsWhatTheEdgeExpects(offer);
            edge.sendOffer(offer);
            String answer = edge.answer(T);
            assertAnswerIsTheEdgesShape(answer, edgeRole);

            endpoint.applyAnswer(answer);
            stream.start(endpoint);
            endpoint.connected().get(10, TimeUnit.SECONDS);
            edge.awaitConnected(T);
            DtlsRole ours = edgeRole == DtlsRole.CLIENT ? DtlsRole.SERVER : DtlsRole.CLIENT;
            assertThat(endpoint.negotiated().localDtlsRole()).as("our DTLS role").isEqualTo(ours);
            assertThat(endpoint.negotiated().remoteIceLite()).isTrue();
            assertThat(endpoint.negotiated().opusPayloadType()).isEqualTo(111);
            assertThat(endpoint.negotiated().telephoneEventPayloadType()).hasValue(126);
            assertThat(heard.events.getFirst()).isInstanceOf(EndpointEvent.Connected.class);

            SineGenerator sine = new SineGenerator(weSayHz, PCM_RATE, 0.4);
            short[] chunk = new short[480];
            for (int i = 0; i < 100; i++) { // 2 s, paced out by the stream
                sine.fill(chunk, 0, chunk.length);
                stream.send(chunk, 0, chunk.length);
            }
            await().atMost(T).until(() -> heard.samples().length >= PCM_RATE * 2 && heard.digits.size() >= 3);
            short[] s = heard.samples();
            assertThat(Tones.dominantFrequency(s, PCM_RATE / 2, PCM_RATE, PCM_RATE))
                    .as("the edge's tone, sent at %.0f Hz", edgeSaysHz)
                    .isCloseTo(edgeSaysHz, Percentage.withPercentage(2));
            assertThat(heard.digits).containsExactly('7', '*', '3');

            edge.awaitPacketsReceived(80, T);
            edge.requestClose();
            assertThat(edge.awaitExit(T)).as("edge exit code").isZero();
            assertThat(TestAudio.middleHalfHz(TestAudio.decode(edge.recording())))
                    .as("our tone at the edge, sent at %.0f Hz", weSayHz)
                    .isCloseTo(weSayHz, Percentage.withPercentage(2));
            assertThat(endpoint.stats().droppedSrtp()).isZero();
        } finally {
            stream.close();
        }
    }

    /** docs/whatsapp-calling.md §4, seen from the edge: a full ICE agent's offer it can answer. */
    private static void assertOfferIsWhatTheEdgeExpects(String offer) {
        List<String> lines = offer.lines().toList();
        assertThat(lines)
                .contains("a=setup:actpass", "a=rtcp-mux", "a=sendrecv", "a=rtpmap:111 opus/48000/2",
                        "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:126 telephone-event/8000",
                        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level")
                .noneMatch(l -> l.startsWith("a=ice-lite"))
                .anyMatch(l -> l.matches("m=audio \\d+ UDP/TLS/RTP/SAVPF 111 126"))
                .anyMatch(l -> l.matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host.*"));
        assertThat(lines.stream().filter(l -> l.startsWith("a=fingerprint:")))
                .singleElement().asString().matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        String mid = lines.stream().filter(l -> l.startsWith("a=mid:")).findFirst().orElseThrow().substring(6);
        assertThat(lines).contains("a=group:BUNDLE " + mid);
    }

    private static void assertAnswerIsTheEdgesShape(String answer, DtlsRole edgeRole) {
        List<String> lines = answer.lines().toList();
        assertThat(lines)
                .contains("a=ice-lite", edgeRole == DtlsRole.CLIENT ? "a=setup:active" : "a=setup:passive",
                        "a=rtpmap:111 opus/48000/2", "a=rtpmap:126 telephone-event/8000", "a=rtcp-mux")
                .anyMatch(l -> l.matches("a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"));
        assertThat(lines.stream().filter(l -> l.startsWith("a=candidate:"))).singleElement().asString()
                .matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host.*");
    }

    // ---- answers the edge must not send --------------------------------------------------------------------

    /** The edge answers, then exits on its own soon: no answer that we refuse will ever connect it. */
    private static PionPeer edgeThatGivesUp(DtlsRole role) {
        return PionPeer.start(PionPeer.Options.edgeAnswerer(role).withConnectTimeout(Duration.ofSeconds(2)));
    }

    @Test
    void anAnswerWithoutAudioIsRefusedAndCounted() throws Exception {
        try (PionPeer edge = edgeThatGivesUp(DtlsRole.CLIENT)) {
            RecordingListener listener = new RecordingListener();
            int endpointsBefore = transport.endpointCount();
            try (WebRtcEndpoint endpoint = transport.offer("no-audio", listener)) {
                edge.sendOffer(endpoint.localDescription());
                String answer = edge.answer(T);
                long refusedBefore = transport.failureStats().answersRefused();

                String rejected = answer.replaceFirst("(?m)^m=audio \\d+ ", "m=audio 0 ");
                assertThatThrownBy(() -> endpoint.applyAnswer(rejected)).isInstanceOfSatisfying(
                        SdpNegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(SdpNegotiationException.Reason.AUDIO_REJECTED));
                String withoutMedia = answer.substring(0, answer.indexOf("m=audio"));
                assertThatThrownBy(() -> endpoint.applyAnswer(withoutMedia)).isInstanceOfSatisfying(
                        SdpNegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(SdpNegotiationException.Reason.ANSWER_MISMATCH));

                assertThat(transport.failureStats().answersRefused()).isEqualTo(refusedBefore + 2);
                assertThat(endpoint.negotiated()).as("nothing was settled").isNull();
                assertThat(endpoint.connected()).isNotDone();
                assertThat(endpoint.sendRtp(new byte[20], 0, 20)).isFalse();
            }
            assertThat(listener.events).singleElement().isInstanceOf(EndpointEvent.Closed.class);
            assertThat(transport.endpointCount()).isEqualTo(endpointsBefore);
        }
    }

    @Test
    void anAnswerWithSetupActpassIsRefusedAndCounted() throws Exception {
        try (PionPeer edge = edgeThatGivesUp(DtlsRole.CLIENT)) {
            RecordingListener listener = new RecordingListener();
            try (WebRtcEndpoint endpoint = transport.offer("actpass-answer", listener)) {
                edge.sendOffer(endpoint.localDescription());
                String answer = edge.answer(T);
                long refusedBefore = transport.failureStats().answersRefused();
                // RFC 5763 §5: the answerer must pick a side; actpass leaves both waiting or both sending.
                String actpass = answer.replace("a=setup:active", "a=setup:actpass");
                assertThat(actpass).isNotEqualTo(answer);
                assertThatThrownBy(() -> endpoint.applyAnswer(actpass)).isInstanceOfSatisfying(
                        SdpNegotiationException.class,
                        e -> assertThat(e.reason()).isEqualTo(SdpNegotiationException.Reason.INVALID_SETUP));
                assertThat(transport.failureStats().answersRefused()).isEqualTo(refusedBefore + 1);
                assertThat(endpoint.negotiated()).isNull();
                assertThat(listener.events).isEmpty();
            }
        }
    }

    @ParameterizedTest(name = "edge is DTLS {0}")
    @EnumSource(DtlsRole.class)
    void anAnswerWithAWrongFingerprintFailsDtlsAndIsCounted(DtlsRole edgeRole) throws Exception {
        try (PionPeer edge = edgeThatGivesUp(edgeRole)) {
            RecordingListener listener = new RecordingListener();
            try (WebRtcEndpoint endpoint = transport.offer("forged-" + edgeRole, listener)) {
                edge.sendOffer(endpoint.localDescription());
                String answer = edge.answer(T);
                // One hex digit of the certificate hash changed: ICE still works, DTLS must not.
                String forged = answer.replaceFirst("(a=fingerprint:sha-256 [0-9A-F])([0-9A-F])",
                        answer.matches("(?s).*a=fingerprint:sha-256 [0-9A-F]0.*") ? "$11" : "$10");
                assertThat(forged).isNotEqualTo(answer);
                EndpointFailureStats before = transport.failureStats();

                endpoint.applyAnswer(forged);
                await().atMost(T).until(() -> !listener.events.isEmpty());
                assertThat(listener.events.getFirst()).isInstanceOfSatisfying(EndpointEvent.Failed.class,
                        f -> assertThat(f.reason()).contains("DTLS").containsIgnoringCase("fingerprint"));
                assertThat(endpoint.connected()).isCompletedExceptionally();
                assertThat(endpoint.selectedPair()).as("ICE got through; only DTLS refused").isNotNull();
                EndpointFailureStats after = transport.failureStats();
                assertThat(after.dtlsFingerprintMismatch()).isEqualTo(before.dtlsFingerprintMismatch() + 1);
                assertThat(after.iceFailed()).isEqualTo(before.iceFailed());
                assertThat(endpoint.sendRtp(new byte[20], 0, 20)).isFalse();
            }
        }
    }

    // ---- time from the answer to media ------------------------------------------------------------------------

    @Test
    void timeFromTheAnswerToConnectedIsLoggedForBothRoles() throws Exception {
        for (DtlsRole edgeRole : DtlsRole.values()) {
            for (int i = 0; i < 2; i++) {
                answerToConnectedMillis(edgeRole); // JIT and the Pion binary's page cache, not counted
            }
            List<Double> millis = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                millis.add(answerToConnectedMillis(edgeRole));
            }
            double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            assertThat(millis).hasSize(20).allSatisfy(ms -> assertThat(ms).isPositive());
            System.out.printf("applyAnswer to connected, edge DTLS %s (we are %s), %d calls: p50 %.2f ms, "
                            + "p99 %.2f ms, max %.2f ms; loadavg %s%n", edgeRole,
                    edgeRole == DtlsRole.CLIENT ? "server" : "client", sorted.length, percentile(sorted, 50),
                    percentile(sorted, 99), sorted[sorted.length - 1], loadAverage());
        }
    }

    private static double answerToConnectedMillis(DtlsRole edgeRole) throws Exception {
        long[] connectedAt = new long[1];
        MediaListener listener = new MediaListener() {
            @Override
            public void onEvent(EndpointEvent event) {
                if (event instanceof EndpointEvent.Connected) {
                    connectedAt[0] = System.nanoTime();
                }
            }

            @Override
            public void onRtp(byte[] buf, int off, int len) {
            }

            @Override
            public void onRtcp(byte[] buf, int off, int len) {
            }
        };
        try (PionPeer edge = PionPeer.start(PionPeer.Options.edgeAnswerer(edgeRole));
             WebRtcEndpoint endpoint = transport.offer("timed-" + System.nanoTime(), listener)) {
            edge.sendOffer(endpoint.localDescription());
            String answer = edge.answer(T);
            long applied = System.nanoTime();
            endpoint.applyAnswer(answer);
            endpoint.connected().get(10, TimeUnit.SECONDS);
            // connected() completes right after the event on the same thread, so the write is visible here.
            return (connectedAt[0] - applied) / 1e6;
        }
    }

    /** Nearest-rank percentile of a sorted array. */
    private static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Keeps an endpoint's events; media is not looked at. */
    static final class RecordingListener implements MediaListener {
        final List<EndpointEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(EndpointEvent event) {
            events.add(event);
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
        }
    }
}
