package dev.wavoice.server.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.WebSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Realtime conversation over a JDK WebSocket. Receive: frames are reassembled (the JDK hands over partial
 * messages), parsed, counted, and delivered to the listener in order on the socket's thread. Send: the JDK allows
 * one outstanding send, so every send is chained after the previous one; caller audio that cannot keep up is
 * dropped and counted instead of queueing without bound.
 */
public final class RealtimeSession implements AgentSession, WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(RealtimeSession.class);
    /** 20 ms and 40 ms at 24 kHz: appends stay small so the server's VAD reacts quickly. */
    static final int MIN_BATCH = 480, MAX_BATCH = 960;
    /** About one second of 20 ms appends; beyond that the socket is stalled and old audio is worthless. */
    private static final int MAX_PENDING_APPENDS = 50;
    /** Bounds the unknown-type set a misbehaving server could otherwise grow. */
    private static final int MAX_UNKNOWN_TYPES_LOGGED = 64;

    /** What the session saw and dropped, by reason: a stats dump explains a bad call. */
    public record Counters(long eventsReceived, long unknownEvents, long malformedEvents, long oversizedEvents,
                           long appendsSent, long appendsDropped, long listenerFailures) {
    }

    private final String callId;
    private final AgentConfig config;
    private final AgentListener listener;
    private final ObjectMapper json;
    private final RealtimeClientEvents out;
    private final int maxEventChars;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile WebSocket socket;

    private final Object sendLock = new Object();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private int pendingAppends;

    private final short[] batch = new short[MAX_BATCH];
    private int batched;

    // Receive-thread state (the JDK delivers one callback at a time).
    private StringBuilder frame = new StringBuilder();
    private boolean frameOversized;
    private final Set<String> unknownTypesLogged = new HashSet<>();
    private boolean malformedLogged;

    private final LongAdder eventsReceived = new LongAdder(), unknownEvents = new LongAdder(),
            malformedEvents = new LongAdder(), oversizedEvents = new LongAdder(), appendsSent = new LongAdder(),
            appendsDropped = new LongAdder(), listenerFailures = new LongAdder();

    RealtimeSession(String callId, AgentConfig config, AgentListener listener, ObjectMapper json, int maxEventChars) {
        this.callId = callId;
        this.config = config;
        this.listener = listener;
        this.json = json;
        this.out = new RealtimeClientEvents(json);
        this.maxEventChars = maxEventChars;
    }

    /** Called once the socket is open: configures the session before any audio is appended. */
    void start() {
        send(out.sessionUpdate(config), false);
    }

    @Override
    public void appendAudio(short[] pcm24k, int off, int len) {
        synchronized (batch) {
            while (len > 0) {
                int n = Math.min(len, MAX_BATCH - batched);
                System.arraycopy(pcm24k, off, batch, batched, n);
                batched += n;
                off += n;
                len -= n;
                if (batched == MAX_BATCH) {
                    flushBatch();
                }
            }
            if (batched >= MIN_BATCH) {
                flushBatch();
            }
        }
    }

    private void flushBatch() {
        send(out.append(batch, 0, batched), true);
        batched = 0;
    }

    @Override
    public void greet() {
        send(out.responseCreate(config.greeting()), false);
    }

    @Override
    public void truncate(String itemId, long audioEndMs) {
        send(out.truncate(itemId, Math.max(0, audioEndMs)), false);
    }

    @Override
    public void sendToolOutput(String callId, String outputJson) {
        send(out.toolOutput(callId, outputJson), false);
        send(out.responseCreate(null), false);
    }

    public Counters counters() {
        return new Counters(eventsReceived.sum(), unknownEvents.sum(), malformedEvents.sum(), oversizedEvents.sum(),
                appendsSent.sum(), appendsDropped.sum(), listenerFailures.sum());
    }

    private void send(String text, boolean isAppend) {
        synchronized (sendLock) {
            if (closed.get()) {
                if (isAppend) {
                    appendsDropped.increment();
                }
                return;
            }
            if (isAppend && pendingAppends >= MAX_PENDING_APPENDS) {
                appendsDropped.increment();
                return;
            }
            if (isAppend) {
                pendingAppends++;
            }
            WebSocket ws = socket;
            sendTail = sendTail.handle((v, e) -> null)
                    .thenCompose(v -> ws.sendText(text, true))
                    .whenComplete((v, e) -> {
                        if (isAppend) {
                            synchronized (sendLock) {
                                pendingAppends--;
                            }
                            appendsSent.increment();
                        }
                    });
        }
    }

    @Override
    public void close() {
        if (!finish("closed by wavoice")) {
            return;
        }
        WebSocket ws = socket;
        synchronized (sendLock) {
            // After queued sends, so a truncate or tool output sent just before close still goes out.
            sendTail.handle((v, e) -> null)
                    .thenCompose(v -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
                    .orTimeout(2, TimeUnit.SECONDS)
                    .whenComplete((v, e) -> ws.abort());
        }
    }

    // --- WebSocket.Listener ---

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (!frameOversized) {
            if (frame.length() + data.length() > maxEventChars) {
                frameOversized = true;
                frame.setLength(0);
            } else {
                frame.append(data);
            }
        }
        if (last) {
            if (frameOversized) {
                oversizedEvents.increment();
                frameOversized = false;
            } else {
                handle(frame.toString());
            }
            // Give back the memory of a large event rather than keep it for the whole call.
            frame = frame.capacity() > 65_536 ? new StringBuilder() : frame;
            frame.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        finish("agent closed the socket (" + statusCode + (reason == null || reason.isBlank() ? "" : " " + reason) + ")");
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        finish("agent socket failed: " + error.getClass().getSimpleName()
                + (error.getMessage() == null ? "" : " " + error.getMessage()));
    }

    private void handle(String text) {
        eventsReceived.increment();
        JsonNode event;
        try {
            event = json.readTree(text);
        } catch (JsonProcessingException e) {
            malformed("not JSON");
            return;
        }
        String type = event == null ? null : event.path("type").asText(null);
        if (type == null) {
            malformed("no type");
            return;
        }
        RealtimeServerEvents.Parsed parsed;
        try {
            parsed = RealtimeServerEvents.parse(type, event);
        } catch (IllegalArgumentException e) {
            malformed("bad audio in " + type);
            return;
        }
        if (!parsed.known()) {
            unknownEvents.increment();
            if (unknownTypesLogged.size() < MAX_UNKNOWN_TYPES_LOGGED && unknownTypesLogged.add(type)) {
                log.info("agent event type ignored callId={} type={}", callId, type);
            }
            return;
        }
        if (type.equals("session.updated")) {
            log.info("agent session configured callId={} model={}", callId, config.model());
        }
        for (AgentEvent e : parsed.events()) {
            if (e instanceof AgentEvent.Error err) {
                log.warn("agent error callId={} type={} code={} message={}", callId, err.type(), err.code(), err.message());
            } else if (e instanceof AgentEvent.ToolCall call) {
                log.info("agent tool call callId={} tool={} toolCallId={}", callId, call.name(), call.callId());
            }
            deliver(e);
        }
    }

    private void malformed(String why) {
        malformedEvents.increment();
        if (!malformedLogged) {
            malformedLogged = true;
            log.warn("agent sent a malformed event ({}), ignored; further ones are only counted callId={}", why, callId);
        }
    }

    private void deliver(AgentEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            listenerFailures.increment();
            log.warn("agent listener failed callId={} event={}", callId, event.getClass().getSimpleName(), e);
        }
    }

    /** Marks the session closed and reports it once; false when it already was. */
    private boolean finish(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        Counters c = counters();
        log.info("agent session closed callId={} reason={} events={} unknown={} malformed={} oversized={} "
                        + "appendsSent={} appendsDropped={}", callId, reason, c.eventsReceived(), c.unknownEvents(),
                c.malformedEvents(), c.oversizedEvents(), c.appendsSent(), c.appendsDropped());
        deliver(new AgentEvent.Closed(reason));
        return true;
    }
}
