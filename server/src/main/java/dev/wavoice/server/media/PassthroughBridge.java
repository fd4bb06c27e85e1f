package dev.wavoice.server.media;

import dev.wavoice.media.rtp.DtmfEvent;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.rtp.TelephoneEventReceiver;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.server.agent.AgentConnectException;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentFailures;
import dev.wavoice.server.agent.AgentListener;
import dev.wavoice.server.agent.AgentMedia;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.agent.AgentTool;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.store.CallLog;
import dev.wavoice.server.store.UsageRecord;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call relayed to an agent over WebRTC: the caller's leg (WhatsApp) and the agent's leg, with Opus packets
 * forwarded both ways as they arrive, re-stamped but never decoded (no jitter buffer, no pacer: a packet leaves on
 * the thread that received it). The conversation (instructions, tools, transcripts, usage, failures) is the same
 * {@link AgentSession} the WebSocket transport uses, over the sideband socket; this class only adds what the
 * packets need: which leg is in service, RTCP per leg, the caller's keys as text, and when the agent is heard.
 *
 * <p>Threads: caller packets on the caller leg's receive thread, agent packets on the agent leg's (the same thread
 * on the shared port); agent events on the session's socket thread. The stream toward the caller is written from
 * agent legs and the apology tone, under {@link #toCallerLock}; the stream toward the agent only from the caller's
 * receive thread.
 */
final class PassthroughBridge implements CallAudio, AgentListener, AgentMedia, AgentLeg.Receiver {
    private static final Logger log = LoggerFactory.getLogger(PassthroughBridge.class);
    private static final int MAX_ERRORS_LOGGED = 20;
    /** Agent audio newer than this means the caller is still hearing it (a barge-in interrupts it). */
    private static final long HEARD_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** How long an end waits for the agent's audio to finish, at most. */
    private static final long MAX_QUIET_WAIT_NANOS = TimeUnit.SECONDS.toNanos(12);

    private final String callId;
    private final WebRtcCallMedia.CallContext call;
    private final PassthroughRoute route;
    private final CallLog callLog;
    private final TranscriptBook transcripts;
    private final KeypadBuffer keypad;
    private final SecureRandom random = new SecureRandom();
    private final RelayLeg caller;
    private final RtpRelay toCaller;
    private final ReentrantLock toCallerLock = new ReentrantLock();
    private final byte[] toAgentBuffer = new byte[1500], toCallerBuffer = new byte[1500];
    private final List<AgentLeg> legs = new CopyOnWriteArrayList<>();
    private final AtomicInteger legCount = new AtomicInteger();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean greeted = new AtomicBoolean();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final AtomicBoolean firstAudio = new AtomicBoolean();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final LongAdder callerDropped = new LongAdder(), agentDropped = new LongAdder();
    private volatile AgentSession session;
    /** The leg in service, and the last one whose media connected (in service once the session swaps to it). */
    private volatile AgentLeg active, newest;
    private volatile boolean callConnected;
    private volatile AgentFailure agentFailure;
    /** The call continues over the WebSocket transport: everything is handed to it. */
    private volatile CallAudio fallback;
    private volatile boolean apologizing, wrappingUp, playing;
    private volatile long lastAgentVoicedNanos;
    private volatile ScheduledFuture<?> timer;

    // Socket-thread state.
    private String assistantItem;
    private boolean goodbyePending;
    private boolean interruptionLogged;
    private int errors;

    PassthroughBridge(WebRtcCallMedia.CallContext call, PassthroughRoute route) {
        this.callId = call.callId();
        this.call = call;
        this.route = route;
        this.callLog = route.callLog();
        this.transcripts = new TranscriptBook(callId, callLog);
        this.keypad = new KeypadBuffer(route.timers(), this::callerKeys);
        this.caller = RelayLeg.of(call.endpoint(), TelephoneEventReceiver.withDefaults(this::onDtmf), random);
        this.toCaller = new RtpRelay(caller.out, caller.opusPayloadType, random);
    }

    /** Starts the agent's first leg while the call rings: its setup hides behind the caller's ICE and DTLS. */
    void open() {
        long started = System.nanoTime();
        CompletableFuture<AgentSession> opening;
        try {
            opening = route.connector().open(callId, this, this);
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
            AgentLeg leg = activate();
            callLog.event(callId, "agent.connected", "transport=webrtc leg=" + (leg == null ? "?" : leg.number)
                    + " connectMs=" + (System.nanoTime() - started) / 1_000_000);
            ready.complete(null);
            greetWhenReady();
        });
    }

    // ---- legs (AgentMedia), on the session's connector threads ----

    @Override
    public AgentMedia.Leg newLeg(int legNumber) {
        AgentLeg leg = new AgentLeg(route.transport(), callId + "-agent" + legNumber, legNumber, this, random);
        legs.add(leg);
        legCount.incrementAndGet();
        leg.lost().thenAccept(reason -> legs.remove(leg));
        return leg;
    }

    @Override
    public void onConnected(AgentLeg leg) {
        newest = leg;
        callLog.event(callId, "agent.leg", "leg=" + leg.number + " agentCallId=" + leg.agentCallId()
                + " setupMs=" + leg.ageMillis());
    }

    /** The session put a new connection in service: its leg is the newest that connected. */
    private AgentLeg activate() {
        AgentLeg leg = newest;
        if (leg != null) {
            active = leg;
        }
        return leg;
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

    // ---- the caller's leg ----

    @Override
    public void onEvent(EndpointEvent event) {
        CallAudio f = fallback;
        if (f != null) {
            f.onEvent(event);
        }
    }

    @Override
    public void onRtp(byte[] buf, int off, int len) {
        CallAudio f = fallback;
        if (f != null) {
            f.onRtp(buf, off, len);
            return;
        }
        long now = System.nanoTime();
        RtpPacket p = caller.inbound.accept(buf, off, len, now); // keys go to onDtmf, never to the agent as audio
        caller.pollRtcp(now);
        if (p == null) {
            return;
        }
        AgentLeg leg = active;
        RtpRelay relay = leg == null ? null : leg.toAgent();
        if (relay == null || closed.get()) {
            callerDropped.increment();
            return;
        }
        int n = relay.relay(p, caller.audioLevelId, toAgentBuffer, now);
        if (n > 0 && leg.endpoint().sendRtp(toAgentBuffer, 0, n)) {
            route.latency().record(System.nanoTime() - now);
        }
        leg.rtp().pollRtcp(now);
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
        CallAudio f = fallback;
        if (f != null) {
            f.onRtcp(buf, off, len);
        } else {
            caller.onRtcp(buf, off, len);
        }
    }

    private void onDtmf(DtmfEvent event) {
        if (event instanceof DtmfEvent.Ended ended && ended.digit() != 0) {
            callLog.event(callId, "caller.dtmf", String.valueOf(ended.digit()));
            keypad.digit(ended.digit());
        }
    }

    private void callerKeys(String digits) {
        AgentSession s = session;
        if (s != null && !closed.get()) {
            s.callerKeys(digits);
        }
    }

    // ---- the agent's legs ----

    @Override
    public void onRtp(AgentLeg leg, byte[] buf, int off, int len) {
        RelayLeg legRtp = leg.rtp();
        if (legRtp == null) {
            return;
        }
        long now = System.nanoTime();
        RtpPacket p = legRtp.inbound.accept(buf, off, len, now);
        legRtp.pollRtcp(now);
        if (p == null) {
            return;
        }
        if (leg != active || apologizing || fallback != null || closed.get()) {
            agentDropped.increment(); // a leg being replaced, or the caller hears something else now
            return;
        }
        if (p.payloadLength() > RtpRelay.VOICED_PAYLOAD_BYTES) {
            lastAgentVoicedNanos = now;
            if (callConnected && firstAudio.compareAndSet(false, true)) {
                callLog.event(callId, "agent.first_audio", "leg=" + leg.number);
            }
        }
        toCallerLock.lock();
        try {
            int n = toCaller.relay(p, legRtp.audioLevelId, toCallerBuffer, now);
            if (n > 0 && call.endpoint().sendRtp(toCallerBuffer, 0, n)) {
                route.latency().record(System.nanoTime() - now);
            }
        } finally {
            toCallerLock.unlock();
        }
    }

    // ---- call side ----

    @Override
    public void callConnected() {
        callConnected = true;
        CallAudio f = fallback;
        if (f != null) {
            f.callConnected();
            return;
        }
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

    // ---- agent events ----

    @Override
    public void onEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.SpeechStarted s -> bargeIn();
            case AgentEvent.SpeechStopped s -> interruptionLogged = false;
            case AgentEvent.Playout p -> playout(p.state());
            case AgentEvent.Transcript t -> {
                if (t.speaker() == AgentEvent.Speaker.ASSISTANT && t.itemId() != null) {
                    assistantItem = t.itemId();
                }
                transcripts.add(t);
            }
            case AgentEvent.ToolCall t -> toolCall(t);
            case AgentEvent.Usage u -> {
                callLog.usage(new UsageRecord(UUID.randomUUID(), callId, Instant.now(), u.inputTokens(),
                        u.outputTokens(), u.inputAudioTokens(), u.outputAudioTokens()));
                if (goodbyePending) {
                    goodbyePending = false;
                    endWhenHeard(EndReason.AGENT_HANGUP, "the agent called end_call");
                } else if (wrappingUp) {
                    endWhenHeard(EndReason.SHUTDOWN, AgentBridge.WRAPPED_UP);
                }
            }
            case AgentEvent.Error e -> {
                if (errors++ < MAX_ERRORS_LOGGED) {
                    callLog.event(callId, "agent.error", e.type() + (e.code() == null ? "" : "/" + e.code())
                            + ": " + e.message());
                }
            }
            case AgentEvent.Reconnected r -> {
                AgentLeg leg = activate();
                callLog.event(callId, "agent.reconnected", r.reason() + ", silentMs=" + r.silentMs()
                        + ", leg=" + (leg == null ? "?" : leg.number));
            }
            case AgentEvent.Closed c -> {
                if (c.failure() != null) {
                    agentFailed(c.failure());
                } else if (!closed.get() && !ending.get()) {
                    callLog.event(callId, "agent.closed", c.reason());
                    call.end(EndReason.AGENT_FAILED, "agent session ended: " + c.reason());
                }
            }
            case AgentEvent.AudioDelta d -> { } // the audio comes over the leg
        }
    }

    /** The agent stops on its own when the caller talks over it; the log records that it was interrupted. */
    private void bargeIn() {
        boolean heard = playing || System.nanoTime() - lastAgentVoicedNanos < HEARD_WINDOW_NANOS;
        if (heard && !interruptionLogged) {
            interruptionLogged = true;
            callLog.event(callId, "agent.interrupted", "item=" + assistantItem);
            if (assistantItem != null) {
                transcripts.itemFinished(assistantItem, true);
                assistantItem = null;
            }
        }
    }

    private void playout(AgentEvent.PlayoutState state) {
        switch (state) {
            case STARTED -> playing = true;
            case STOPPED -> {
                playing = false;
                if (assistantItem != null) {
                    transcripts.itemFinished(assistantItem, false);
                    assistantItem = null;
                }
            }
            case CLEARED -> {
                playing = false;
                bargeIn();
            }
        }
    }

    private void toolCall(AgentEvent.ToolCall t) {
        callLog.event(callId, "agent.tool_call", t.name());
        if (AgentTool.END_CALL.equals(t.name())) {
            ending.set(true);
            goodbyePending = true;
            later(route.goodbyeGrace().toNanos(), () -> endWhenHeard(EndReason.AGENT_HANGUP, "the agent called end_call"));
            return;
        }
        route.tools().runAndAnswer(callId, t, () -> session, closed::get);
    }

    /**
     * Ends the call once the caller has heard the agent out: the agent says its audio stopped, or none has come for a
     * moment (an agent that does not report its playout).
     */
    private void endWhenHeard(EndReason reason, String detail) {
        long deadline = System.nanoTime() + MAX_QUIET_WAIT_NANOS;
        later(TimeUnit.MILLISECONDS.toNanos(20), new Runnable() {
            @Override
            public void run() {
                long now = System.nanoTime();
                if ((!playing && now - lastAgentVoicedNanos > HEARD_WINDOW_NANOS) || now > deadline) {
                    call.end(reason, detail);
                } else {
                    later(TimeUnit.MILLISECONDS.toNanos(20), this);
                }
            }
        });
    }

    private void later(long delayNanos, Runnable task) {
        if (!closed.get()) {
            timer = route.timers().schedule(() -> {
                if (!closed.get()) {
                    task.run();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    // ---- failures ----

    /**
     * The agent failed for good (or stayed away longer than the session allows). With a fallback the call continues
     * over the WebSocket transport; otherwise as {@link AgentBridge} does: rejected or apologised to while it rings,
     * the apology tone and the end once the caller listens.
     */
    private void agentFailed(AgentFailure failure) {
        if (closed.get() || agentFailure != null || fallback != null) {
            return;
        }
        callLog.event(callId, "agent.failed", failure.kind().label() + " " + failure.code() + ": " + failure.detail());
        if (route.fallback() != null) {
            fallBack(failure);
            return;
        }
        agentFailure = failure;
        if (failure.permanent()) {
            log.info("call.agent_failed callId={} transport=webrtc kind={} code={}", callId, failure.kind().label(),
                    failure.code());
        } else {
            log.warn("call.agent_failed callId={} transport=webrtc kind={} code={} detail=\"{}\"", callId,
                    failure.kind().label(), failure.code(), failure.detail());
        }
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

    /** Hands the call to the WebSocket transport: a decoding bridge with a session of its own. */
    private void fallBack(AgentFailure failure) {
        log.warn("call.agent_fallback callId={} to=websocket code={} detail=\"{}\"", callId, failure.code(),
                failure.detail());
        callLog.event(callId, "agent.fallback", "websocket, after " + failure.code());
        AgentSession s = session;
        if (s != null) {
            s.close();
        }
        legs.forEach(AgentLeg::close);
        CallAudio f = route.fallback().attach(call);
        fallback = f;
        f.ready().whenComplete((v, e) -> {
            if (e != null) {
                ready.completeExceptionally(e);
            } else {
                ready.complete(null);
            }
        });
        if (callConnected) {
            f.callConnected();
        }
    }

    /** The tone, from Opus packets encoded once, then the end; the agent's legs are no longer heard. */
    private void apologize(AgentFailure failure) {
        if (!ending.compareAndSet(false, true)) {
            return;
        }
        apologizing = true;
        List<byte[]> frames = route.apologyOpus();
        AtomicInteger next = new AtomicInteger();
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        task[0] = route.timers().scheduleAtFixedRate(() -> {
            int i = next.getAndIncrement();
            if (closed.get() || i >= frames.size()) {
                task[0].cancel(false);
                if (!closed.get()) {
                    call.end(EndReason.AGENT_FAILED, failure.summary());
                }
                return;
            }
            sendOwn(frames.get(i), i == 0);
        }, 0, 20, TimeUnit.MILLISECONDS);
        timer = task[0];
    }

    private void sendOwn(byte[] opus, boolean first) {
        toCallerLock.lock();
        try {
            int n = toCaller.own(opus, first, toCallerBuffer, System.nanoTime());
            if (n > 0) {
                call.endpoint().sendRtp(toCallerBuffer, 0, n);
            }
        } finally {
            toCallerLock.unlock();
        }
    }

    @Override
    public boolean wrapUp() {
        CallAudio f = fallback;
        if (f != null) {
            return f.wrapUp();
        }
        AgentSession s = session;
        if (s == null || !callConnected || closed.get() || !ending.compareAndSet(false, true)) {
            return false;
        }
        wrappingUp = true;
        callLog.event(callId, "agent.wrap_up", "the service is stopping");
        s.say(AgentBridge.GOODBYE_INSTRUCTIONS);
        later(AgentBridge.WRAP_UP_GRACE.toNanos(), () -> endWhenHeard(EndReason.SHUTDOWN, AgentBridge.WRAPPED_UP));
        return true;
    }

    @Override
    public CallMedia.MediaStats stats() {
        CallAudio f = fallback;
        if (f != null) {
            return f.stats();
        }
        RtcpSession.InboundSummary in = caller.rtcp.inbound();
        WebRtcEndpoint endpoint = call.endpoint();
        return new CallMedia.MediaStats(in.received(), endpoint.stats().rtpSent(), in.lost(), in.lossFraction(),
                in.jitterMillis(), route.agentName());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        keypad.cancel();
        CallAudio f = fallback;
        if (f != null) {
            f.close();
        }
        AgentSession s = session;
        if (s != null) {
            s.close(); // closes the leg in service with its sideband socket
        }
        legs.forEach(AgentLeg::close);
        caller.sendBye("call ended");
        transcripts.flush();
        log.info("call.relay_closed callId={} legs={} fromCaller={} toCaller={} callerDropped={} agentDropped={} "
                        + "sourceChanges={}", callId, legCount.get(), caller.inbound.stats().audio(),
                toCaller.relayed(), callerDropped.sum(), agentDropped.sum(), toCaller.rebased());
    }
}
