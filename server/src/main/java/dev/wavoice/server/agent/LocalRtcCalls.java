package dev.wavoice.server.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.PacerConfig;
import dev.wavoice.media.stream.AudioStream;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.stream.AudioStreamListener;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local agent's WebRTC side, shaped like OpenAI's: {@code POST /v1/realtime/calls} answers an offer with this
 * process's own media stack (on a UDP port of its own, as a separate service would have), and the sideband socket
 * ({@code ?call_id=}) carries the same events as the WebSocket, while the audio goes over the leg: decoded to 24 kHz
 * for the same energy VAD and parrot, and encoded back. So {@code WAVOICE_AGENT_TRANSPORT=webrtc} works with no key.
 */
final class LocalRtcCalls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalRtcCalls.class);
    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");

    private final WebRtcTransport transport;
    private final Pacer pacer;
    private final OpusCodec codec;
    private final ObjectMapper json;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** One agent call: its leg and audio stream, and the conversation once the sideband has connected. */
    final class Call implements AudioStreamListener, LocalAgentConversation.Speaker {
        final String id;
        final AudioStream stream;
        volatile WebRtcEndpoint endpoint;
        volatile LocalAgentConversation conversation;

        Call(String id) {
            this.id = id;
            this.stream = new AudioStream(AudioStreamConfig.speech(24_000), codec, pacer, this);
        }

        /** The sideband socket connected: the conversation starts, its events going to {@code sink}. */
        LocalAgentConversation attach(Consumer<String> sink) {
            LocalAgentConversation c = new LocalAgentConversation(json, sink, this);
            conversation = c;
            c.open();
            return c;
        }

        @Override
        public void onPcm(short[] pcm, int off, int len) {
            LocalAgentConversation c = conversation;
            if (c != null) {
                short[] frame = java.util.Arrays.copyOfRange(pcm, off, off + len);
                synchronized (c) {
                    c.audio(frame);
                }
            }
        }

        @Override
        public void onEvent(EndpointEvent event) {
            if (!(event instanceof EndpointEvent.Connected)) {
                end();
            }
        }

        @Override
        public synchronized void play(short[] pcm, int off, int len) {
            stream.send(pcm, off, len);
        }

        @Override
        public synchronized void clear() {
            stream.clear();
        }

        @Override
        public long queuedMillis() {
            return stream.stats().outbound().queuedFrames() * 20;
        }

        void end() {
            if (calls.remove(id) != null) {
                LocalAgentConversation c = conversation;
                if (c != null) {
                    c.close();
                }
                stream.close();
                WebRtcEndpoint e = endpoint;
                if (e != null) {
                    e.close();
                }
            }
        }
    }

    LocalRtcCalls(OpusCodec codec, ObjectMapper json) throws IOException {
        this.codec = codec;
        this.json = json;
        this.transport = WebRtcTransport.open(WebRtcTransportConfig.defaults(new InetSocketAddress("127.0.0.1", 0)));
        this.pacer = new Pacer(PacerConfig.defaults()).start();
    }

    /** Answers an offer; the body is a multipart form (part {@code sdp}) or the SDP itself. */
    Call answer(String contentType, byte[] body) throws IllegalArgumentException {
        String offer = sdpOf(contentType, body);
        Call call = new Call("rtc_local_" + ids.incrementAndGet());
        try {
            call.endpoint = transport.answer(call.id, offer, call.stream);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot answer the offer: " + e.getMessage(), e);
        }
        call.stream.start(call.endpoint);
        calls.put(call.id, call);
        log.info("local agent call created callId={}", call.id);
        return call;
    }

    String answerSdp(Call call) {
        return call.endpoint.localDescription();
    }

    Call call(String id) {
        return id == null ? null : calls.get(id);
    }

    private static String sdpOf(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase();
        String text = new String(body, StandardCharsets.UTF_8);
        if (!type.startsWith("multipart/form-data")) {
            return text;
        }
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw new IllegalArgumentException("multipart body without a boundary");
        }
        String delimiter = "--" + m.group(1);
        for (String part : text.split(Pattern.quote(delimiter))) {
            int headersEnd = part.indexOf("\r\n\r\n");
            if (headersEnd > 0 && part.substring(0, headersEnd).contains("name=\"sdp\"")) {
                String value = part.substring(headersEnd + 4);
                return value.endsWith("\r\n") ? value.substring(0, value.length() - 2) : value;
            }
        }
        throw new IllegalArgumentException("the form has no sdp part");
    }

    @Override
    public void close() throws IOException {
        calls.values().forEach(Call::end);
        pacer.close();
        transport.close();
    }
}
