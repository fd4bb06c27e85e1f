package dev.wavoice.server.media;

import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.stream.AudioStream;
import dev.wavoice.media.stream.AudioStreamListener;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.server.agent.AgentConnectException;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.AgentTool;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's bridge between its {@link AudioStream} (the caller) and an {@link AgentSession} (the AI). Caller
 * PCM goes to the agent as the pacer delivers it; agent audio deltas go to the outbound queue; the caller
 * speaking over the agent (barge-in) clears that queue at once and truncates the agent's item at what was
 * actually played; {@code end_call} hangs up once the goodbye has been heard.
 *
 * <p>Threads: {@link #onPcm} on the shared pacer thread; agent events on the session's socket thread (one at a
 * time), which is also the only producer into the outbound queue, as {@link AudioStream#send} requires.
 */
final class AgentBridge implements CallAudio, AgentListener {
    private static final Logger log = LoggerFactory.getLogger(AgentBridge.class);
    /** Agent errors are written to the call log up to this many per call; the rest are only counted. */
    private static final int MAX_ERRORS_LOGGED = 20;
    static final String GOODBYE_INSTRUCTIONS = "The phone line is about to close for maintenance. In one short "
            + "sentence, apologise, say the caller may call again in a minute, and say goodbye.";
    /** The longest a goodbye may take before the call ends anyway. */
    static final Duration WRAP_UP_GRACE = Duration.ofSeconds(6);
    static final String WRAPPED_UP = "the service stopped; the agent said goodbye";

    private final String callId;
    private final WebRtcCallMedia.CallContext call;
    private final AudioStream stream;
    private final AgentRoute route;
    private final CallLog callLog;
    private final DrainWatcher playout;
    private final TranscriptBook transcripts;
    private final CallerPcmHandoff callerPcm;
    private final KeypadBuffer keypad;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean greeted = new AtomicBoolean();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile AgentSession session;
    private volatile boolean callConnected;
    private volatile AgentFailure agentFailure;
    /** The service is stopping and the agent was asked for a goodbye: the next finished response ends the call. */
    private volatile boolean wrappingUp;

    // Socket-thread state.
    private String item;
    private long utterance;
    private long itemSamples;
    private String truncatedItem;
    private boolean goodbyePending;
    /** An item began after the wrap-up request: the goodbye itself, whose response.done ends the call. */
    private boolean wrapUpItemSeen;
    private boolean audioStarted;
    private int errors;

    AgentBridge(WebRtcCallMedia.CallContext call, AgentRoute route) {
        this.callId = call.callId();
        this.call = call;
        this.route = route;
        this.callLog = route.callLog();
        this.stream = new AudioStream(route.audioConfig(), route.codec(), route.pacer(), new CallerAudio());
        this.playout = new DrainWatcher(stream, route.timers());
        this.transcripts = new TranscriptBook(callId, callLog);
        this.callerPcm = new CallerPcmHandoff(route.audioConfig().pcmFrame(), route.work());
        this.keypad = new KeypadBuffer(route.timers(), this::callerKeys);
    }

    /**
     * Joins the pacer and starts the agent session while the call still rings: the agent's connect time hides
     * behind ICE and DTLS.
     */
    void open() {
        stream.start(call.endpoint());
        long started = System.nanoTime();
        CompletableFuture<AgentSession> opening;
        try {
            opening = route.connector().open(callId, this);
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((s, error) -> {
            if (error != null) {
                agentFailed(failureOf(error));
                return;
            }
            if (closed.get()) {
                s.close();
                return;
            }
            session = s;
            callerPcm.attach(s);
            callLog.event(callId, "agent.connected", "connectMs=" + (System.nanoTime() - started) / 1_000_000);
            ready.complete(null);
            greetWhenReady();
        });
    }

    @Override
    public CompletableFuture<Void> ready() {
        return ready;
    }

    private static AgentFailure failureOf(Throwable error) {
        Throwable e = AgentFailures.unwrap(error);
        return e instanceof AgentConnectException c && c.failure() != null ? c.failure()
                : AgentFailures.fromConnectError(e);
    }

    // ---- call side ----

    @Override
    public void callConnected() {
        callConnected = true;
        AgentFailure failure = agentFailure;
        if (failure != null) {
            apologize(failure);
        } else {
            greetWhenReady();
        }
    }

    private void greetWhenReady() {
        AgentSession s = session;
        if (s != null && callConnected && greeted.compareAndSet(false, true)) {
            s.greet();
        }
    }

    /** What the caller's stream delivers: 20 ms of PCM at 24 kHz on the pacer thread, and DTMF keys. */
    private final class CallerAudio implements AudioStreamListener {
        @Override
        public void onPcm(short[] pcm, int off, int len) {
            callerPcm.offer(pcm, off, len);
        }

        @Override
        public void onDtmf(char digit) {
            callLog.event(callId, "caller.dtmf", String.valueOf(digit));
            keypad.digit(digit);
        }
    }

    private void callerKeys(String digits) {
        AgentSession s = session;
        if (s != null && !closed.get()) {
            s.callerKeys(digits);
        }
    }

    @Override
    public void onEvent(EndpointEvent event) {
    }

    @Override
    public void onRtp(byte[] buf, int off, int len) {
        stream.onRtp(buf, off, len);
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
        stream.onRtcp(buf, off, len);
    }

    // ---- agent side ----

    @Override
    public void onEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.AudioDelta d -> play(d);
            case AgentEvent.SpeechStarted s -> bargeIn();
            case AgentEvent.SpeechStopped s -> { }
            case AgentEvent.Playout p -> { } // WebRTC only; here the bridge plays the audio itself
            case AgentEvent.Transcript t -> transcripts.add(t);
            case AgentEvent.ToolCall t -> toolCall(t);
            case AgentEvent.Usage u -> {
                callLog.usage(new UsageRecord(UUID.randomUUID(), callId, Instant.now(), u.inputTokens(),
                        u.outputTokens(), u.inputAudioTokens(), u.outputAudioTokens()));
                if (goodbyePending) {
                    goodbyePending = false;
                    playout.whenDrained(() -> call.end(EndReason.AGENT_HANGUP, "the agent called end_call"));
                } else if (wrappingUp && wrapUpItemSeen) {
                    playout.whenDrained(() -> call.end(EndReason.SHUTDOWN, WRAPPED_UP));
                }
            }
            case AgentEvent.Error e -> {
                if (errors++ < MAX_ERRORS_LOGGED) {
                    callLog.event(callId, "agent.error", e.type() + (e.code() == null ? "" : "/" + e.code())
                            + ": " + e.message());
                }
            }
            // Audio already queued is whole and plays out (a rollover comes right after a response); the session
            // asks again for an answer a drop cut short.
            case AgentEvent.Reconnected r ->
                    callLog.event(callId, "agent.reconnected", r.reason() + ", silentMs=" + r.silentMs());
            case AgentEvent.Closed c -> {
                if (c.failure() != null) {
                    agentFailed(c.failure());
                } else if (!closed.get() && !ending.get()) {
                    callLog.event(callId, "agent.closed", c.reason());
                    call.end(EndReason.AGENT_FAILED, "agent session ended: " + c.reason());
                }
            }
        }
    }

    private void play(AgentEvent.AudioDelta d) {
        if (d.itemId() != null && d.itemId().equals(truncatedItem)) {
            return; // the rest of an item the caller talked over
        }
        if (!audioStarted) {
            audioStarted = true;
            // Setup latency as production sees it: webhook.connect ... media.connected → agent.first_audio.
            callLog.event(callId, "agent.first_audio", "item=" + d.itemId());
        }
        if (item == null || !item.equals(d.itemId())) {
            wrapUpItemSeen |= wrappingUp;
            endItem(false);
            item = d.itemId();
            utterance++;
            itemSamples = 0;
            stream.beginUtterance(utterance);
        }
        stream.send(d.pcm24k(), 0, d.pcm24k().length);
        itemSamples += d.pcm24k().length;
    }

    /**
     * The caller speaks: drop queued agent audio first (the next tick sends silence), then tell the agent how
     * much of its item the caller heard, so its memory of the conversation matches what was said.
     */
    private void bargeIn() {
        if (item == null) {
            return;
        }
        stream.clear();
        long played = stream.playedMillis(utterance);
        long total = itemSamples / 24;
        boolean cut = played + 20 < total;
        AgentSession s = session;
        if (cut && s != null) {
            s.truncate(item, played);
            truncatedItem = item;
            callLog.event(callId, "agent.barge_in", "item=" + item + " playedMs=" + played + " ofMs=" + total);
        }
        endItem(cut);
    }

    private void endItem(boolean interrupted) {
        if (item != null) {
            transcripts.itemFinished(item, interrupted);
            stream.endUtterance();
            item = null;
        }
    }

    private void toolCall(AgentEvent.ToolCall t) {
        callLog.event(callId, "agent.tool_call", t.name());
        if (AgentTool.END_CALL.equals(t.name())) {
            // Hang up once the response carrying the goodbye is done and has been played out.
            ending.set(true);
            goodbyePending = true;
            playout.after(route.goodbyeGrace(), () -> {
                if (!closed.get()) {
                    playout.whenDrained(() -> call.end(EndReason.AGENT_HANGUP, "the agent called end_call"));
                }
            });
            return;
        }
        route.tools().runAndAnswer(callId, t, () -> session, closed::get);
    }

    /**
     * The agent failed for good (or did not come back within the session's bound). While the call rings it is
     * rejected, or answered so the caller hears the apology tone, as {@link AgentRoute#unavailable()} says; once
     * the caller is listening, the tone plays at once and the call ends.
     */
    private void agentFailed(AgentFailure failure) {
        if (closed.get() || agentFailure != null) {
            return;
        }
        agentFailure = failure;
        // A permanent failure was logged at WARN once for the whole service; each call repeats it at INFO only.
        if (failure.permanent()) {
            log.info("call.agent_failed callId={} kind={} code={}", callId, failure.kind().label(), failure.code());
        } else {
            log.warn("call.agent_failed callId={} kind={} code={} detail=\"{}\"", callId, failure.kind().label(),
                    failure.code(), failure.detail());
        }
        callLog.event(callId, "agent.failed", failure.kind().label() + " " + failure.code() + ": " + failure.detail());
        if (callConnected) {
            apologize(failure);
        } else if (route.unavailable().rejects(failure.permanent())) {
            String detail = failure.summary();
            call.end(EndReason.AGENT_FAILED, detail);
            ready.completeExceptionally(new AgentConnectException(detail, failure, null));
        } else {
            ready.complete(null); // accepted next, then callConnected() plays the tone
        }
    }

    private void apologize(AgentFailure failure) {
        if (!ending.compareAndSet(false, true)) {
            return;
        }
        stream.clear(); // whatever the agent still had queued is moot: the caller hears the tone at once
        short[] tone = ApologyTone.pcm24k();
        stream.send(tone, 0, tone.length);
        playout.whenDrained(() -> call.end(EndReason.AGENT_FAILED, failure.summary()));
    }

    /**
     * The service is stopping: the agent says a short goodbye, and the call ends once it has played (or after
     * {@link #WRAP_UP_GRACE} when no goodbye comes).
     */
    @Override
    public boolean wrapUp() {
        AgentSession s = session;
        if (s == null || !callConnected || closed.get() || !ending.compareAndSet(false, true)) {
            return false;
        }
        wrappingUp = true;
        callLog.event(callId, "agent.wrap_up", "the service is stopping");
        s.say(GOODBYE_INSTRUCTIONS);
        playout.after(WRAP_UP_GRACE, () -> playout.whenDrained(() -> call.end(EndReason.SHUTDOWN, WRAPPED_UP)));
        return true;
    }

    @Override
    public CallMedia.MediaStats stats() {
        RtcpSession.InboundSummary in = stream.inbound();
        return new CallMedia.MediaStats(in.received(), call.endpoint().stats().rtpSent(), in.lost(),
                in.lossFraction(), in.jitterMillis(), route.agentName());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        playout.cancel();
        keypad.cancel();
        stream.close();
        AgentSession s = session;
        if (s != null) {
            s.close();
        }
        transcripts.flush();
        var st = stream.stats();
        log.info("call.audio_closed callId={} framesIn={} framesOut={} dtxSkipped={} outboundDropped={} clears={} "
                        + "decodeErrors={} encodeErrors={} callerFramesDropped={}", callId, st.framesDelivered(),
                st.framesEncoded(), st.dtxSkipped(), st.outbound().overflowDropped(), st.outbound().clears(),
                st.decodeErrors(), st.encodeErrors(), callerPcm.dropped());
    }
}
