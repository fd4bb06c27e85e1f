package dev.wavoice.media.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wavoice.media.rtp.RtpHeaderWriter;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI stand-in proven against the project's own media stack as the offerer, the way the bridge
 * will use OpenAI: our endpoint's offer (actpass, full ICE) is POSTed as multipart/form-data, the answer
 * applied, the sideband opened with java.net.http; tones encoded here go both ways and are told apart by
 * frequency. If these pass, a failure of the bridge against the stand-in is the bridge's.
 */
@Timeout(120)
class OpenAiStandInTest {
    static final Duration T = Duration.ofSeconds(15);
    static final String KEY = "sk-standin-test-0123456789abcdef";
    static final Pattern LOCATION = Pattern.compile("/v1/realtime/calls/(rtc_[0-9a-f]{24})");
    static WebRtcTransport transport;
    static HttpClient http;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        OpenAiStandIn.binary();
        transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void close() throws Exception {
        transport.close();
    }

    @Test
    void aCallCarriesTheGreetingTheCallerAndTheReply() throws Exception {
        double greetingHz = TestAudio.randomTone(300, 800), replyHz = TestAudio.otherTone(greetingHz),
                callerHz = TestAudio.otherTone(replyHz);
        Path rec = dir.resolve("rec");
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults().withKey(KEY)
                .withGreetingOpusFile(TestAudio.toneFile(dir, greetingHz, 60))
                .withReplyOpusFile(TestAudio.toneFile(dir, replyHz, 60)).withRecordDir(rec));
             Call call = Call.start(openai, KEY, """
                     {"type":"realtime","model":"gpt-realtime","instructions":"Greet the caller.",
                      "audio":{"output":{"voice":"marin"}}}""")) {
            assertThat(call.answer.lines().toList())
                    .contains("a=setup:active", "a=rtpmap:111 opus/48000/2", "a=sendrecv")
                    .noneMatch(l -> l.startsWith("a=ice-lite") || l.startsWith("a=rtpmap:126"))
                    .anyMatch(l -> l.matches("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 \\d+ typ host.*"));
            StandInEvent created = openai.awaitEvent("call_created", call.id, T);
            assertThat(created.string("session", "instructions")).isEqualTo("Greet the caller.");

            // The sideband opens on the merged session, and a session.update merges into it.
            Map<String, Object> session = call.side.next("session.created", T);
            assertThat(JsonTree.at(session, "session", "model")).isEqualTo("gpt-realtime");
            assertThat(JsonTree.at(session, "session", "audio", "output", "voice")).isEqualTo("marin");
            call.side.send(Map.of("type", "session.update", "session",
                    Map.of("type", "realtime", "instructions", "Be brief.")));
            Map<String, Object> updated = call.side.next("session.updated", T);
            assertThat(JsonTree.at(updated, "session", "instructions")).isEqualTo("Be brief.");
            assertThat(JsonTree.at(updated, "session", "audio", "output", "voice")).isEqualTo("marin");

            // The greeting: OpenAI's event sequence on the sideband, the audio on the track.
            call.side.send(Map.of("type", "response.create"));
            String responseId = (String) JsonTree.at(call.side.next("response.created", T), "response", "id");
            assertThat(responseId).startsWith("resp_");
            call.side.next("output_audio_buffer.started", T);
            assertThat(call.side.next("response.output_audio_transcript.done", T).get("transcript"))
                    .isEqualTo("Hello from the stand-in");
            call.side.next("output_audio_buffer.stopped", T);
            Map<String, Object> done = call.side.next("response.done", T);
            assertThat(JsonTree.at(done, "response", "id")).isEqualTo(responseId);
            assertThat(JsonTree.at(done, "response", "status")).isEqualTo("completed");
            for (String field : List.of("total_tokens", "input_tokens", "output_tokens")) {
                assertThat((Long) JsonTree.at(done, "response", "usage", field)).as(field).isPositive();
            }
            assertThat((Long) JsonTree.at(done, "response", "usage", "output_token_details", "audio_tokens"))
                    .isPositive();
            List<RtpPacket> greeting = call.heard.packets(0);
            assertThat(greeting).hasSizeGreaterThanOrEqualTo(55);
            assertThat(greeting).allSatisfy(p -> assertThat(p.payloadType())
                    .isEqualTo(call.endpoint.negotiated().opusPayloadType()));
            assertThat(greeting.getFirst().marker()).as("marker on a talkspurt's first packet").isTrue();
            assertThat(dominantHz(call.heard.payloads(0))).as("greeting sent at %.0f Hz", greetingHz)
                    .isCloseTo(greetingHz, Percentage.withPercentage(2));

            // The caller speaks: speech is detected, committed, transcribed and answered with the reply.
            int beforeReply = call.heard.count();
            call.speak(TestAudio.toneFrames(callerHz, 40));
            Map<String, Object> started = call.side.next("input_audio_buffer.speech_started", T);
            assertThat(started.get("item_id")).asString().startsWith("item_");
            call.side.next("input_audio_buffer.speech_stopped", T);
            call.side.next("input_audio_buffer.committed", T);
            assertThat(call.side.next("conversation.item.input_audio_transcription.completed", T).get("transcript"))
                    .isEqualTo("caller tone");
            assertThat(call.side.next("response.output_audio_transcript.done", T).get("transcript"))
                    .isEqualTo("Reply from the stand-in");
            assertThat(JsonTree.at(call.side.next("response.done", T), "response", "status")).isEqualTo("completed");
            assertThat(dominantHz(call.heard.payloads(beforeReply))).as("reply sent at %.0f Hz", replyHz)
                    .isCloseTo(replyHz, Percentage.withPercentage(2));

            // What the stand-in recorded is what we sent, in a file the tests can decode.
            List<byte[]> recorded = openai.recordedPayloads(call.id);
            assertThat(recorded).hasSizeGreaterThanOrEqualTo(38);
            assertThat(dominantHz(recorded)).as("caller tone sent at %.0f Hz", callerHz)
                    .isCloseTo(callerHz, Percentage.withPercentage(2));
            assertThat(openai.clientEventTypes(call.id)).containsExactly("session.update", "response.create");

            // Our hang-up (DTLS close_notify) ends the call, and OpenAI closes the sideband.
            call.endpoint.close();
            assertThat(openai.awaitEvent("call_ended", call.id, T).string("reason")).isEqualTo("caller closed DTLS");
            assertThat(call.side.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            openai.requestClose();
            StandInEvent summary = openai.awaitEvent("summary", null, T);
            assertThat(summary.longValue("calls")).isEqualTo(1);
            assertThat(summary.longValue("per_call", "0", "packets_received")).isGreaterThanOrEqualTo(38);
            assertThat(summary.longValue("per_call", "0", "responses_completed")).isEqualTo(2);
            assertThat(openai.awaitExit(T)).isZero();
        }
    }

    @Test
    void theCallerInterruptingStopsTheResponseAtOnce() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults()
                .withGreetingOpusFile(TestAudio.toneFile(dir, 500, 150))
                .withReplyOpusFile(TestAudio.toneFile(dir, 700, 20)));
             Call call = Call.start(openai, null, null)) {
            call.side.next("session.created", T);
            call.side.send(Map.of("type", "response.create"));
            call.side.next("output_audio_buffer.started", T);
            await().atMost(T).until(() -> call.heard.count() >= 15);
            call.speak(TestAudio.toneFrames(900, 30));
            call.side.next("input_audio_buffer.speech_started", T);
            call.side.next("output_audio_buffer.cleared", T);
            int atClear = call.heard.count();
            Map<String, Object> cancelled = call.side.next("response.done", T);
            assertThat(JsonTree.at(cancelled, "response", "status")).isEqualTo("cancelled");
            assertThat(JsonTree.at(cancelled, "response", "status_details", "reason")).isEqualTo("turn_detected");
            Thread.sleep(200); // the caller still speaks: no reply can have started yet
            assertThat(call.heard.count()).as("greeting packets after the clear").isLessThanOrEqualTo(atClear + 2);
            assertThat(atClear).isLessThan(100);
            // Once the caller stops, the reply plays in full.
            call.side.next("input_audio_buffer.speech_stopped", T);
            assertThat(JsonTree.at(call.side.next("response.done", T), "response", "status")).isEqualTo("completed");
        }
    }

    @Test
    void aToolCallWaitsForItsOutputBeforeTheReply() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults()
                .withReplyOpusFile(TestAudio.toneFile(dir, 600, 20)).withToolCall("end_call", "{\"reason\":\"done\"}"));
             Call call = Call.start(openai, null, null)) {
            call.side.next("session.created", T);
            call.speak(TestAudio.toneFrames(450, 25));
            Map<String, Object> fn = call.side.next("response.function_call_arguments.done", T);
            assertThat(fn.get("name")).isEqualTo("end_call");
            assertThat(fn.get("arguments")).isEqualTo("{\"reason\":\"done\"}");
            String toolCallId = (String) fn.get("call_id");
            assertThat(toolCallId).startsWith("call_");
            assertThat(JsonTree.at(call.side.next("response.done", T), "response", "output", "0", "type"))
                    .isEqualTo("function_call");
            int before = call.heard.count();
            Thread.sleep(300);
            assertThat(call.heard.count()).as("no audio while the function runs").isEqualTo(before);

            call.side.send(Map.of("type", "conversation.item.create", "item", Map.of("type", "function_call_output",
                    "call_id", toolCallId, "output", "{\"ok\":true}")));
            call.side.next("conversation.item.added", T);
            assertThat(openai.awaitEvent("tool_output", call.id, T).bool("matches")).isTrue();
            call.side.send(Map.of("type", "response.create"));
            assertThat(call.side.next("response.output_audio_transcript.done", T).get("transcript"))
                    .isEqualTo("Reply from the stand-in");
            assertThat(JsonTree.at(call.side.next("response.done", T), "response", "status")).isEqualTo("completed");
            assertThat(call.heard.count() - before).isGreaterThanOrEqualTo(18);
        }
    }

    @Test
    void aWrongOrMissingKeyIsRefusedAsOpenAiRefusesIt() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults().withKey(KEY))) {
            WebRtcEndpoint endpoint = transport.offer("openai-key", new Heard());
            try {
                HttpResponse<String> wrong = post(openai, endpoint.localDescription(), null, "sk-wrong-key-00000000");
                assertThat(wrong.statusCode()).isEqualTo(401);
                Map<String, Object> error = JsonTree.parseObject(wrong.body());
                assertThat(JsonTree.at(error, "error", "type")).isEqualTo("invalid_request_error");
                assertThat(JsonTree.at(error, "error", "code")).isEqualTo("invalid_api_key");
                assertThat((String) JsonTree.at(error, "error", "message"))
                        .startsWith("Incorrect API key provided: sk-").doesNotContain("sk-wrong-key-00000000");

                HttpResponse<String> missing = post(openai, endpoint.localDescription(), null, null);
                assertThat(missing.statusCode()).isEqualTo(401);
                assertThat(JsonTree.at(JsonTree.parseObject(missing.body()), "error", "type"))
                        .isEqualTo("invalid_request_error");

                // The sideband checks the key before the upgrade: the handshake fails with 401.
                CompletableFuture<WebSocket> ws = http.newWebSocketBuilder()
                        .header("Authorization", "Bearer sk-wrong-key-00000000")
                        .buildAsync(openai.sidebandUri("rtc_000000000000000000000000"), new Sideband());
                assertThatThrownBy(() -> ws.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                                e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
                CompletableFuture<WebSocket> unknown = http.newWebSocketBuilder()
                        .header("Authorization", "Bearer " + KEY)
                        .buildAsync(openai.sidebandUri("rtc_000000000000000000000000"), new Sideband());
                assertThatThrownBy(() -> unknown.get(10, TimeUnit.SECONDS)).cause()
                        .isInstanceOfSatisfying(WebSocketHandshakeException.class,
                                e -> assertThat(e.getResponse().statusCode()).isEqualTo(404));
                assertThat(openai.callIds()).isEmpty();
            } finally {
                endpoint.close();
            }
        }
    }

    @Test
    void anUnknownModelIsRefused() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults())) {
            WebRtcEndpoint endpoint = transport.offer("openai-model", new Heard());
            try {
                HttpResponse<String> r = post(openai, endpoint.localDescription(),
                        "{\"type\":\"realtime\",\"model\":\"gpt-imaginary\"}", null);
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(JsonTree.at(JsonTree.parseObject(r.body()), "error", "code")).isEqualTo("model_not_found");
            } finally {
                endpoint.close();
            }
        }
    }

    @Test
    void anAnswerWithoutOpusIsRefusedByTheOfferer() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults().withNoOpus())) {
            WebRtcEndpoint endpoint = transport.offer("openai-no-opus", new Heard());
            try {
                HttpResponse<String> r = post(openai, endpoint.localDescription(), null, null);
                assertThat(r.statusCode()).isEqualTo(201);
                assertThat(r.body().lines().toList()).contains("a=rtpmap:0 PCMU/8000")
                        .anyMatch(l -> l.matches("m=audio \\d+ UDP/TLS/RTP/SAVPF 0"))
                        .noneMatch(l -> l.contains("opus"));
                assertThatThrownBy(() -> endpoint.applyAnswer(r.body()))
                        .isInstanceOfSatisfying(SdpNegotiationException.class,
                                e -> assertThat(e.reason()).isEqualTo(SdpNegotiationException.Reason.NO_OPUS));
            } finally {
                endpoint.close();
            }
        }
    }

    @Test
    void theFirstPostsFailThenACallIsCreated() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults()
                .withFailStatus(429).withFailFirst(1))) {
            WebRtcEndpoint endpoint = transport.offer("openai-retry", new Heard());
            try {
                HttpResponse<String> first = post(openai, endpoint.localDescription(), null, null);
                assertThat(first.statusCode()).isEqualTo(429);
                Map<String, Object> error = JsonTree.parseObject(first.body());
                assertThat(JsonTree.at(error, "error", "type")).isEqualTo("requests");
                assertThat(JsonTree.at(error, "error", "code")).isEqualTo("rate_limit_exceeded");
                HttpResponse<String> second = post(openai, endpoint.localDescription(), null, null);
                assertThat(second.statusCode()).isEqualTo(201);
                assertThat(second.headers().firstValue("Location")).hasValueSatisfying(
                        l -> assertThat(l).matches(LOCATION));
            } finally {
                endpoint.close();
            }
        }
    }

    @Test
    void dropAfterEndsOnlyTheFirstCallsLegs() throws Exception {
        try (OpenAiStandIn openai = OpenAiStandIn.start(OpenAiStandIn.Options.defaults()
                .withDropAfter(Duration.ofMillis(700)));
             Call first = Call.start(openai, null, null);
             Call second = Call.start(openai, null, null)) {
            assertThat(first.side.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            openai.awaitEvent("leg_dropped", first.id, T);
            await().atMost(T).until(() -> first.heard.events.stream().anyMatch(e -> e instanceof EndpointEvent.Closed));
            Thread.sleep(1000);
            assertThat(second.side.closed).isNotDone();
            assertThat(openai.events()).noneMatch(e -> e.is("leg_dropped", second.id));
            // A later call goes only when asked to.
            openai.dropCall(second.id);
            assertThat(second.side.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            openai.awaitEvent("leg_dropped", second.id, T);
        }
    }

    // ---- the offerer side: our endpoint, the POST, the sideband --------------------------------

    /** One call from our side: endpoint offered, answer applied, connected, sideband open. */
    record Call(String id, String answer, WebRtcEndpoint endpoint, Heard heard, Sideband side) implements AutoCloseable {
        static Call start(OpenAiStandIn openai, String key, String sessionJson) throws Exception {
            Heard heard = new Heard();
            WebRtcEndpoint endpoint = transport.offer("openai-" + UUID.randomUUID(), heard);
            try {
                assertThat(endpoint.localDescription()).contains("a=setup:actpass");
                HttpResponse<String> r = post(openai, endpoint.localDescription(), sessionJson, key);
                assertThat(r.statusCode()).as("POST /v1/realtime/calls: %s", r.body()).isEqualTo(201);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/sdp");
                Matcher m = LOCATION.matcher(r.headers().firstValue("Location").orElse(""));
                assertThat(m.matches()).as("Location %s", r.headers().firstValue("Location")).isTrue();
                String id = m.group(1);
                endpoint.applyAnswer(r.body());
                endpoint.connected().get(10, TimeUnit.SECONDS);
                openai.awaitEvent("connected", id, T);
                Sideband side = Sideband.open(openai.sidebandUri(id), key);
                openai.awaitEvent("sideband_open", id, T);
                return new Call(id, r.body(), endpoint, heard, side);
            } catch (Exception | AssertionError e) {
                endpoint.close();
                throw e;
            }
        }

        /** Sends Opus frames as the caller, one per 20 ms, on our endpoint's SSRC. */
        void speak(List<byte[]> frames) throws InterruptedException {
            int pt = endpoint.negotiated().opusPayloadType();
            int seq = ThreadLocalRandom.current().nextInt(1 << 16);
            long ts = ThreadLocalRandom.current().nextLong(1L << 32);
            byte[] buf = new byte[1500];
            long next = System.nanoTime();
            for (int i = 0; i < frames.size(); i++) {
                int h = RtpHeaderWriter.write(buf, 0, i == 0, pt, (seq + i) & 0xFFFF, (ts + 960L * i) & 0xFFFFFFFFL,
                        endpoint.localSsrc());
                byte[] f = frames.get(i);
                System.arraycopy(f, 0, buf, h, f.length);
                endpoint.sendRtp(buf, 0, h + f.length);
                next += 20_000_000;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        }

        @Override
        public void close() {
            side.close();
            endpoint.close();
        }
    }

    /** POSTs the offer as OpenAI documents it: multipart/form-data with parts "sdp" and "session". */
    static HttpResponse<String> post(OpenAiStandIn openai, String sdp, String sessionJson, String key) throws Exception {
        String boundary = "----wavoice" + UUID.randomUUID().toString().replace("-", "");
        StringBuilder body = new StringBuilder();
        body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"sdp\"\r\n")
                .append("Content-Type: application/sdp\r\n\r\n").append(sdp).append("\r\n");
        if (sessionJson != null) {
            body.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"session\"\r\n")
                    .append("Content-Type: application/json\r\n\r\n").append(sessionJson).append("\r\n");
        }
        body.append("--").append(boundary).append("--\r\n");
        HttpRequest.Builder b = HttpRequest.newBuilder(openai.callsUri()).timeout(T)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The sideband WebSocket from our side: every server event kept, read in order with {@link #next}. */
    static final class Sideband implements WebSocket.Listener, AutoCloseable {
        final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private int cursor;
        private WebSocket ws;

        static Sideband open(URI uri, String key) throws Exception {
            Sideband s = new Sideband();
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            if (key != null) {
                b.header("Authorization", "Bearer " + key);
            }
            s.ws = b.buildAsync(uri, s).get(10, TimeUnit.SECONDS);
            return s;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(JsonTree.parseObject(partial.toString()));
                partial.setLength(0);
                synchronized (this) {
                    notifyAll();
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        void send(Map<String, Object> event) {
            ws.sendText(JsonTree.write(new LinkedHashMap<>(event)), true).join();
        }

        /** The next server event of this type after the last one returned (events in between are skipped). */
        synchronized Map<String, Object> next(String type, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (int i = cursor; i < received.size(); i++) {
                    if (type.equals(received.get(i).get("type"))) {
                        cursor = i + 1;
                        return received.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.isDone()) {
                    throw new AssertionError("no " + type + " on the sideband within " + timeout + "; got "
                            + received.stream().map(e -> e.get("type")).toList());
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, 50_000_000));
            }
        }

        @Override
        public void close() {
            if (ws != null && !ws.isOutputClosed()) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
            }
        }
    }

    /** What our endpoint received from the stand-in. */
    static final class Heard implements MediaListener {
        final List<byte[]> rtp = new CopyOnWriteArrayList<>();
        final List<EndpointEvent> events = new CopyOnWriteArrayList<>();
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void onEvent(EndpointEvent event) {
            events.add(event);
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            rtp.add(Arrays.copyOfRange(buf, off, off + len));
            count.incrementAndGet();
        }

        int count() {
            return count.get();
        }

        List<RtpPacket> packets(int from) {
            List<RtpPacket> out = new ArrayList<>();
            for (byte[] p : rtp.subList(from, rtp.size())) {
                RtpPacket v = new RtpPacket();
                assertThat(v.wrap(p, 0, p.length)).isTrue();
                out.add(v);
            }
            return out;
        }

        List<byte[]> payloads(int from) {
            return packets(from).stream().map(p -> Arrays.copyOfRange(p.buffer(), p.offset() + p.payloadOffset(),
                    p.offset() + p.payloadOffset() + p.payloadLength())).toList();
        }
    }

    /** Decodes Opus payloads in order and measures the middle half's dominant frequency. */
    static double dominantHz(List<byte[]> payloads) {
        short[] pcm = TestAudio.decodePayloads(payloads);
        assertThat(pcm.length).as("decoded samples").isGreaterThan(48000 / 4);
        return TestAudio.middleHalfHz(pcm);
    }
}
