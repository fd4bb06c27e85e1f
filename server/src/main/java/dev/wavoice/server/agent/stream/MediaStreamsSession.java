package dev.wavoice.server.agent.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.agent.AgentConnectException;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.CallFacts;
import dev.wavoice.server.agent.SerialSends;
import dev.wavoice.server.agent.TextFrames;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's socket to a bot that speaks Twilio's Media Streams protocol, as Twilio speaks it for a bidirectional
 * stream: {@code connected} when the socket opens (the call still rings), {@code start} when the caller listens
 * ({@link #greet()}), then a {@code media} message per 20 ms of the caller's audio, {@code dtmf} per key, a
 * {@code mark} back once the audio the bot sent before its own mark has played, and {@code stop} when the call ends.
 * From the bot: {@code media} (queued by the call and paced out every 20 ms), {@code mark}, {@code clear} (its queued
 * audio is dropped at once), and the hang-up message ({@link StreamSettings#hangupEvent()}, with a {@code reason}).
 * The bot closing the socket ends the call too; a socket that breaks is an agent failure (the apology tone).
 *
 * <p>Threads: receive callbacks one at a time on the JDK's socket thread, which delivers this session's events. Sends
 * come from the caller-audio hand-off, the timer thread (marks) and the bridge, chained one after the other as the
 * JDK requires; {@code sequenceNumber} is taken under the same lock, so the bot sees them in order.
 */
final class MediaStreamsSession implements AgentSession, WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(MediaStreamsSession.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** About one second of 20 ms frames: beyond that the bot is not reading and older caller audio is worthless. */
    static final int MAX_PENDING_MEDIA = 50;

    private final String callId;
    private final StreamSettings settings;
    private final CallFacts facts;
    private final AgentListener listener;
    private final StreamCounters counters;
    private final String streamSid = "MZ" + HexFormat.of().formatHex(RANDOM.generateSeed(16));
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile WebSocket ws;
    private volatile boolean started;

    private final Object sendLock = new Object();
    private final SerialSends sends = new SerialSends(MAX_PENDING_MEDIA);
    private long sequence;
    private long chunk;

    // Receive-thread state.
    private final TextFrames frames;
    /** Counts the bot's marks and clears: its audio after either is another item, which the bridge starts afresh. */
    private int segment;

    private MediaStreamsSession(String callId, StreamSettings settings, CallFacts facts, AgentListener listener,
            StreamCounters counters) {
        this.callId = callId;
        this.settings = settings;
        this.facts = facts;
        this.listener = listener;
        this.counters = counters;
        this.frames = new TextFrames(settings.maxMessageChars(), text -> {
            if (!ended.get()) {
                onMessage(text, System.nanoTime());
            }
        }, () -> counters.dropped(StreamCounters.Drop.OVERSIZED));
    }

    /** Dials the bot; completes with the session once the socket is open and {@code connected} is on its way. */
    static CompletableFuture<AgentSession> open(HttpClient http, StreamSettings settings, String callId,
            CallFacts facts, AgentListener listener, StreamCounters counters, Duration timeout) {
        MediaStreamsSession session = new MediaStreamsSession(callId, settings, facts, listener, counters);
        return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(settings.url(), session)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((socket, error) -> {
                    if (error != null) {
                        AgentFailure why = unreachable(settings, error);
                        throw new AgentConnectException(why.summary(), why, error);
                    }
                    session.attach(socket);
                    session.send(text(session.object("connected").put("protocol", "Call").put("version", "1.0.0")),
                            false);
                    log.info("stream.connected callId={} streamSid={} url={}", callId, session.streamSid,
                            settings.url());
                    return session;
                });
    }

    private static AgentFailure unreachable(StreamSettings settings, Throwable error) {
        AgentFailure byNetwork = AgentFailures.fromConnectError(error);
        return new AgentFailure(AgentFailure.Kind.TRANSIENT, "stream_" + byNetwork.code(), byNetwork.known(),
                AgentFailures.describe(AgentFailures.rootCause(error)),
                "the Media Streams bot at " + settings.url() + " (" + StreamSettings.URL_ENV
                        + ") did not accept the WebSocket");
    }

    private void attach(WebSocket socket) {
        synchronized (sendLock) {
            if (ws == null) {
                ws = socket;
            }
        }
    }

    // ---- to the bot ----

    @Override
    public void greet() {
        ObjectNode start = object("start");
        synchronized (sendLock) {
            if (started) {
                return;
            }
            start.put("sequenceNumber", String.valueOf(++sequence));
            ObjectNode body = start.putObject("start");
            body.put("accountSid", facts == null || facts.phoneNumberId() == null ? "" : facts.phoneNumberId());
            body.put("streamSid", streamSid);
            body.put("callSid", callId);
            body.putArray("tracks").add("inbound");
            ObjectNode format = body.putObject("mediaFormat");
            format.put("encoding", settings.format().encoding());
            format.put("sampleRate", settings.format().sampleRate());
            format.put("channels", 1);
            ObjectNode custom = body.putObject("customParameters");
            if (facts != null) {
                putIfKnown(custom, "caller", facts.caller());
                putIfKnown(custom, "business_number", facts.businessNumber());
                putIfKnown(custom, "phone_number_id", facts.phoneNumberId());
                putIfKnown(custom, "wa_call_id", facts.waCallId());
                putIfKnown(custom, "direction", facts.direction());
            }
            start.put("streamSid", streamSid); // Twilio puts it last, after the start object
            started = sendLocked(text(start), false);
        }
    }

    private static void putIfKnown(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value);
        }
    }

    @Override
    public void appendAudio(short[] pcm, int off, int len) {
        appendAudio(pcm, off, len, System.nanoTime());
    }

    @Override
    public void appendAudio(short[] pcm, int off, int len, long deliveredNanos) {
        if (!started || ended.get()) {
            return; // Twilio sends no media before start: the caller is not listening yet
        }
        String payload = settings.format().encode(pcm, off, len);
        synchronized (sendLock) {
            if (!sends.hasRoomForAudio()) {
                counters.dropped(StreamCounters.Drop.BACKLOG);
                return;
            }
            long n = ++chunk;
            StringBuilder m = new StringBuilder(payload.length() + 180);
            m.append("{\"event\":\"media\",\"sequenceNumber\":\"").append(++sequence)
                    .append("\",\"media\":{\"track\":\"inbound\",\"chunk\":\"").append(n)
                    .append("\",\"timestamp\":\"").append((n - 1) * 20)
                    .append("\",\"payload\":\"").append(payload)
                    .append("\"},\"streamSid\":\"").append(streamSid).append("\"}");
            sendLocked(m.toString(), true, deliveredNanos);
        }
    }

    /**
     * A frame is a few hundred bytes of μ-law or PCM in base64 and a queued socket write: about as cheap as the
     * hand-off to another thread, which would only add its wake-up to each frame's way to the bot.
     */
    @Override
    public boolean appendsOnPacer() {
        return true;
    }

    @Override
    public boolean keysOneByOne() {
        return true;
    }

    @Override
    public void callerKeys(String digits) {
        for (int i = 0; i < digits.length(); i++) {
            String digit = String.valueOf(digits.charAt(i));
            sendNumbered(seq -> {
                ObjectNode dtmf = object("dtmf");
                dtmf.put("streamSid", streamSid);
                dtmf.put("sequenceNumber", seq);
                ObjectNode body = dtmf.putObject("dtmf");
                body.put("track", "inbound_track");
                body.put("digit", digit);
                return dtmf;
            });
        }
    }

    @Override
    public void markPlayed(String name) {
        sendNumbered(seq -> {
            ObjectNode mark = object("mark");
            mark.put("sequenceNumber", seq);
            mark.put("streamSid", streamSid);
            mark.putObject("mark").put("name", name);
            return mark;
        });
    }

    /** Builds a message with the next {@code sequenceNumber} and sends it, both under the lock, once started. */
    private void sendNumbered(Function<String, ObjectNode> message) {
        synchronized (sendLock) {
            if (started) {
                sendLocked(text(message.apply(String.valueOf(++sequence))), false);
            }
        }
    }

    /** Queues a text frame after the previous one; false when the socket has ended. */
    private boolean send(String text, boolean media) {
        synchronized (sendLock) {
            return sendLocked(text, media);
        }
    }

    private boolean sendLocked(String text, boolean media) {
        return sendLocked(text, media, 0);
    }

    /** {@code deliveredNanos}: for a caller frame, when the pacer delivered it (its delay is measured); else 0. */
    private boolean sendLocked(String text, boolean media, long deliveredNanos) {
        WebSocket socket = ws;
        if (ended.get() || socket == null) {
            return false;
        }
        return sends.send(socket, text, media, e -> {
            if (e == null && deliveredNanos != 0) {
                counters.callerFrameDelay.record(System.nanoTime() - deliveredNanos, TimeUnit.NANOSECONDS);
            }
        });
    }

    // What a Realtime agent is asked for has no Media Streams message: the bot decides what it says.

    @Override
    public void say(String instructions) {
    }

    @Override
    public void truncate(String itemId, long audioEndMs) {
    }

    @Override
    public void sendToolOutput(String callId, String outputJson) {
    }

    /** The call is over: {@code stop}, then the close handshake after what is queued (bounded), then a Closed. */
    @Override
    public void close() {
        WebSocket socket = ws;
        synchronized (sendLock) {
            if (started && !ended.get()) {
                ObjectNode stop = object("stop");
                stop.put("sequenceNumber", String.valueOf(++sequence));
                ObjectNode body = stop.putObject("stop");
                body.put("accountSid", facts == null || facts.phoneNumberId() == null ? "" : facts.phoneNumberId());
                body.put("callSid", callId);
                stop.put("streamSid", streamSid);
                sendLocked(text(stop), false);
            }
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (socket != null) {
                sends.closeAfterQueued(socket, "call ended", Duration.ofSeconds(2));
            }
        }
        listener.onEvent(new AgentEvent.Closed("closed by wavoice", null));
    }

    // ---- from the bot ----

    @Override
    public void onOpen(WebSocket webSocket) {
        attach(webSocket);
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        frames.add(data, last);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
        if (last) {
            counters.dropped(StreamCounters.Drop.BAD_JSON); // the protocol is JSON text frames only
        }
        webSocket.request(1);
        return null;
    }

    private void onMessage(String text, long readNanos) {
        switch (BotMessage.parse(text, streamSid, settings.format(), settings.hangupEvent())) {
            case BotMessage.Media m -> listener.onEvent(new AgentEvent.AudioDelta("stream-" + segment, m.pcm()));
            case BotMessage.Mark m -> {
                segment++; // what the bot sends after a mark is its next utterance
                listener.onEvent(new AgentEvent.Mark(m.name()));
            }
            case BotMessage.Clear c -> {
                segment++;
                listener.onEvent(new AgentEvent.ClearAudio()); // the bridge drops the queue on this thread, now
                counters.clearDelay.record(System.nanoTime() - readNanos, TimeUnit.NANOSECONDS);
            }
            case BotMessage.HangUp h -> listener.onEvent(new AgentEvent.HungUp(h.reason()));
            case BotMessage.Dropped d -> counters.dropped(d.why());
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (ended.compareAndSet(false, true)) {
            String said = reason == null || reason.isBlank() ? "" : ": " + BotMessage.oneLine(reason);
            listener.onEvent(new AgentEvent.HungUp("the bot closed the stream (" + statusCode + said + ")"));
            listener.onEvent(new AgentEvent.Closed("the bot closed the stream", null));
            webSocket.abort();
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (ended.compareAndSet(false, true)) {
            AgentFailure why = AgentFailures.fromConnectError(error);
            listener.onEvent(new AgentEvent.Closed("the stream broke",
                    new AgentFailure(AgentFailure.Kind.TRANSIENT, "stream_lost", true, why.detail(),
                            "the Media Streams bot's socket broke mid-call")));
        }
    }

    // ---- messages ----

    private ObjectNode object(String event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("event", event);
        return node;
    }

    private static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e); // a tree of strings and numbers always serialises
        }
    }
}
