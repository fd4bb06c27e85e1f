package dev.wavoice.server.media;

import dev.wavoice.server.agent.AgentConnectException;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.AgentTool;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.config.AgentUnavailable;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.UsageRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's conversation with an agent, whatever carries its audio: the session opened while the call rings and
 * awaited before {@code accept}, the greeting once the caller listens, tool calls ({@code end_call} hangs up once
 * the goodbye has been heard), usage and errors into the call log, the caller's keys as text, what a failed agent
 * means for the call (rejected, apology tone, or a fallback), and the goodbye when the service stops. Subclasses
 * carry the audio: {@link AgentBridge} decodes it and speaks PCM with the agent, {@link PassthroughBridge} relays
 * Opus to the agent's own WebRTC leg; they say when what the agent said has been heard, and play the apology tone.
 *
 * <p>Threads: agent events arrive on the session's socket thread, one at a time (the socket-thread fields below).
 */
abstract class AgentCall implements CallAudio, AgentListener {
    private static final Logger log = LoggerFactory.getLogger(AgentCall.class);
    /** Agent errors are written to the call log up to this many per call; the rest are only counted. */
    private static final int MAX_ERRORS_LOGGED = 20;
    static final String GOODBYE_INSTRUCTIONS = "The phone line is about to close for maintenance. In one short "
            + "sentence, apologise, say the caller may call again in a minute, and say goodbye.";
    /** The longest a goodbye may take before the call ends anyway. */
    static final Duration WRAP_UP_GRACE = Duration.ofSeconds(6);
    static final String WRAPPED_UP = "the service stopped; the agent said goodbye";
    private static final String HUNG_UP = "the agent called end_call";

    /** What the conversation needs from its route. */
    record Settings(CallLog callLog, ScheduledExecutorService timers, AgentRoute.ToolRunner tools,
                    AgentUnavailable unavailable, Duration goodbyeGrace) {
    }

    protected final String callId;
    protected final WebRtcCallMedia.CallContext call;
    protected final CallLog callLog;
    protected final TranscriptBook transcripts;
    protected final KeypadBuffer keypad;
    private final Settings settings;

    protected final AtomicBoolean closed = new AtomicBoolean();
    protected final AtomicBoolean ending = new AtomicBoolean();
    private final AtomicBoolean greeted = new AtomicBoolean();
    protected final CompletableFuture<Void> ready = new CompletableFuture<>();
    protected volatile AgentSession session;
    protected volatile boolean callConnected;
    private volatile AgentFailure agentFailure;
    /** The service is stopping and the agent was asked for a goodbye: the response that says it ends the call. */
    protected volatile boolean wrappingUp;

    // Socket-thread state.
    private boolean goodbyePending;
    private int errors;

    AgentCall(WebRtcCallMedia.CallContext call, Settings settings) {
        this.callId = call.callId();
        this.call = call;
        this.settings = settings;
        this.callLog = settings.callLog();
        this.transcripts = new TranscriptBook(callId, callLog);
        this.keypad = new KeypadBuffer(settings.timers(), this::callerKeys);
    }

    // ---- what the audio side provides ----

    /** Runs {@code action} once the caller has heard what the agent has said so far (on a timer thread). */
    protected abstract void whenHeard(Runnable action);

    /** Runs {@code action} after {@code delay}, unless the call is closed by then. */
    protected abstract void after(Duration delay, Runnable action);

    /** Plays the apology tone at once (whatever the agent still had queued is dropped), then ends the call. */
    protected abstract void playApology(AgentFailure failure);

    /** Audio events of the agent's ({@link AgentEvent.AudioDelta}, speech, playout), on the socket thread. */
    protected abstract void onAudioEvent(AgentEvent event);

    /** The session opened: the audio side may start handing it the caller's audio. */
    protected void sessionOpened(AgentSession s) {
    }

    /** A transcript line; a subclass may note which item it belongs to first. */
    protected void onTranscript(AgentEvent.Transcript t) {
        transcripts.add(t);
    }

    /** The session continues on a new connection; what the call log says about it. */
    protected void onReconnected(AgentEvent.Reconnected r) {
        // Audio already queued is whole and plays out (a rollover comes right after a response); the session asks
        // again for an answer a drop cut short.
        callLog.event(callId, "agent.reconnected", r.reason() + ", silentMs=" + r.silentMs());
    }

    /** Whether the goodbye asked for at wrap-up has been said: the next finished response ends the call. */
    protected boolean goodbyeStarted() {
        return true;
    }

    /** The agent failed: true when the call goes on another way (a fallback transport) instead. */
    protected boolean fallBack(AgentFailure failure) {
        return false;
    }

    // ---- the session ----

    /**
     * Starts the agent session while the call still rings: the agent's connect time hides behind ICE and DTLS.
     * {@code connectedDetail} describes the session for the call log once it is open.
     */
    protected void openSession(Supplier<CompletableFuture<AgentSession>> opener, Supplier<String> connectedDetail) {
        long started = System.nanoTime();
        CompletableFuture<AgentSession> opening;
        try {
            opening = opener.get();
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
            sessionOpened(s);
            callLog.event(callId, "agent.connected", connectedDetail.get() + "connectMs="
                    + (System.nanoTime() - started) / 1_000_000);
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

    /** A key the caller pressed: logged, and given to the agent as text once the caller pauses typing. */
    protected void callerPressed(char digit) {
        callLog.event(callId, "caller.dtmf", String.valueOf(digit));
        AgentSession s = session;
        if (s != null && s.keysOneByOne()) {
            if (!closed.get()) {
                s.callerKeys(String.valueOf(digit));
            }
        } else {
            keypad.digit(digit);
        }
    }

    private void callerKeys(String digits) {
        AgentSession s = session;
        if (s != null && !closed.get()) {
            s.callerKeys(digits);
        }
    }

    // ---- agent events ----

    @Override
    public final void onEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.Transcript t -> onTranscript(t);
            case AgentEvent.ToolCall t -> toolCall(t);
            case AgentEvent.Usage u -> {
                callLog.usage(new UsageRecord(UUID.randomUUID(), callId, Instant.now(), u.inputTokens(),
                        u.outputTokens(), u.inputAudioTokens(), u.outputAudioTokens()));
                if (goodbyePending) {
                    goodbyePending = false;
                    whenHeard(() -> call.end(EndReason.AGENT_HANGUP, HUNG_UP));
                } else if (wrappingUp && goodbyeStarted()) {
                    whenHeard(() -> call.end(EndReason.SHUTDOWN, WRAPPED_UP));
                }
            }
            case AgentEvent.Error e -> {
                if (errors++ < MAX_ERRORS_LOGGED) {
                    callLog.event(callId, "agent.error", e.type() + (e.code() == null ? "" : "/" + e.code())
                            + ": " + e.message());
                }
            }
            case AgentEvent.Reconnected r -> onReconnected(r);
            case AgentEvent.HungUp h -> hungUp(h.reason());
            case AgentEvent.Closed c -> {
                if (c.failure() != null) {
                    agentFailed(c.failure());
                } else if (!closed.get() && !ending.get()) {
                    callLog.event(callId, "agent.closed", c.reason());
                    call.end(EndReason.AGENT_FAILED, "agent session ended: " + c.reason());
                }
            }
            case AgentEvent.AudioDelta d -> onAudioEvent(d);
            case AgentEvent.SpeechStarted s -> onAudioEvent(s);
            case AgentEvent.SpeechStopped s -> onAudioEvent(s);
            case AgentEvent.Playout p -> onAudioEvent(p);
            case AgentEvent.Mark m -> onAudioEvent(m);
            case AgentEvent.ClearAudio c -> onAudioEvent(c);
        }
    }

    /** The agent ends the call itself: once what it said has been heard, as after {@code end_call}. */
    private void hungUp(String reason) {
        if (closed.get() || !ending.compareAndSet(false, true)) {
            return;
        }
        callLog.event(callId, "agent.hangup", reason);
        whenHeard(() -> call.end(EndReason.AGENT_HANGUP, reason));
    }

    private void toolCall(AgentEvent.ToolCall t) {
        callLog.event(callId, "agent.tool_call", t.name());
        if (AgentTool.END_CALL.equals(t.name())) {
            // Hang up once the response carrying the goodbye is done and has been heard.
            ending.set(true);
            goodbyePending = true;
            after(settings.goodbyeGrace(), () -> whenHeard(() -> call.end(EndReason.AGENT_HANGUP, HUNG_UP)));
            return;
        }
        settings.tools().runAndAnswer(callId, t, () -> session, closed::get);
    }

    // ---- failures and the end ----

    /**
     * The agent failed for good (or did not come back within the session's bound). Unless the call goes on another
     * way, while it rings it is rejected, or answered so the caller hears the apology tone, as
     * {@link Settings#unavailable()} says; once the caller is listening, the tone plays at once and the call ends.
     */
    protected final void agentFailed(AgentFailure failure) {
        if (closed.get() || agentFailure != null) {
            return;
        }
        callLog.event(callId, "agent.failed", failure.kind().label() + " " + failure.code() + ": " + failure.detail());
        if (fallBack(failure)) {
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
        if (callConnected) {
            apologize(failure);
        } else if (settings.unavailable().rejects(failure.permanent())) {
            String detail = failure.summary();
            call.end(EndReason.AGENT_FAILED, detail);
            ready.completeExceptionally(new AgentConnectException(detail, failure, null));
        } else {
            ready.complete(null); // accepted next, then callConnected() plays the tone
        }
    }

    private void apologize(AgentFailure failure) {
        if (ending.compareAndSet(false, true)) {
            playApology(failure);
        }
    }

    /**
     * The service is stopping: the agent says a short goodbye, and the call ends once it has been heard (or after
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
        after(WRAP_UP_GRACE, () -> whenHeard(() -> call.end(EndReason.SHUTDOWN, WRAPPED_UP)));
        return true;
    }

    /** Closes the session and writes what is left of the transcript; true the first time only. */
    protected boolean closeConversation() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        keypad.cancel();
        AgentSession s = session;
        if (s != null) {
            s.close();
        }
        transcripts.flush();
        return true;
    }
}
