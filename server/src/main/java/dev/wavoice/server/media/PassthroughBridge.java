package dev.wavoice.server.media;

import dev.wavoice.media.rtp.DtmfEvent;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.rtp.TelephoneEventReceiver;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentMedia;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.recording.CallRecording;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
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
final class PassthroughBridge extends AgentCall implements AgentMedia, AgentLeg.Receiver {
    private static final Logger log = LoggerFactory.getLogger(PassthroughBridge.class);
    /** Agent audio newer than this means the caller is still hearing it (a barge-in interrupts it). */
    private static final long HEARD_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
    /** How long an end waits for the agent's audio to finish, at most. */
    private static final long MAX_QUIET_WAIT_NANOS = TimeUnit.SECONDS.toNanos(12);

    private final PassthroughRoute route;
    private final SecureRandom random = new SecureRandom();
    private final RelayLeg caller;
    private final RtpRelay toCaller;
    /** What was relayed, both ways; a call that falls back records only until then (left out: the fallback's own). */
    private final CallRecording recording;
    private final ReentrantLock toCallerLock = new ReentrantLock();
    private final byte[] toAgentBuffer = new byte[1500], toCallerBuffer = new byte[1500];
    private final List<AgentLeg> legs = new CopyOnWriteArrayList<>();
    private final AtomicInteger legCount = new AtomicInteger();
    private final AtomicBoolean firstAudio = new AtomicBoolean();
    private final LongAdder callerDropped = new LongAdder(), agentDropped = new LongAdder();
    /** The leg in service, and the last one whose media connected (in service once the session swaps to it). */
    private volatile AgentLeg active, newest;
    /** The call continues over the WebSocket transport: everything is handed to it. */
    private volatile CallAudio fallback;
    private volatile boolean apologizing, playing;
    private volatile long lastAgentVoicedNanos;
    private volatile ScheduledFuture<?> timer;

    // Socket-thread state.
    private String assistantItem;
    private boolean interruptionLogged;

    PassthroughBridge(WebRtcCallMedia.CallContext call, PassthroughRoute route) {
        super(call, new Settings(route.callLog(), route.timers(), route.tools(), route.unavailable(),
                route.goodbyeGrace()));
        this.route = route;
        this.caller = RelayLeg.of(call.endpoint(), TelephoneEventReceiver.withDefaults(this::onDtmf), random);
        this.toCaller = new RtpRelay(caller.out, caller.opusPayloadType, random);
        this.recording = route.recorder().forCall(callId);
    }

    /** Starts the agent's first leg while the call rings: its setup hides behind the caller's ICE and DTLS. */
    void open() {
        openSession(() -> route.connector().open(callId, this, this), () -> {
            AgentLeg leg = active;
            return "transport=webrtc leg=" + (leg == null ? "?" : leg.number) + " ";
        });
    }

    @Override
    protected void sessionOpened(AgentSession s) {
        activate(); // the first connection's leg is in service now
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
        recording.caller(buf, p.payloadOffset(), p.payloadLength());
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
            callerPressed(ended.digit());
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
                recording.agent(buf, p.payloadOffset(), p.payloadLength());
            }
        } finally {
            toCallerLock.unlock();
        }
    }

    // ---- call side ----

    @Override
    public void callConnected() {
        recording.start();
        CallAudio f = fallback;
        if (f != null) {
            callConnected = true;
            f.callConnected();
        } else {
            super.callConnected();
        }
    }

    // ---- agent events ----

    @Override
    protected void onAudioEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.SpeechStarted s -> bargeIn();
            case AgentEvent.SpeechStopped s -> interruptionLogged = false;
            case AgentEvent.Playout p -> playout(p.state());
            default -> { } // audio deltas: over WebRTC the audio comes over the leg
        }
    }

    @Override
    protected void onTranscript(AgentEvent.Transcript t) {
        if (t.speaker() == AgentEvent.Speaker.ASSISTANT && t.itemId() != null) {
            assistantItem = t.itemId();
        }
        transcripts.add(t);
    }

    @Override
    protected void onReconnected(AgentEvent.Reconnected r) {
        AgentLeg leg = activate();
        callLog.event(callId, "agent.reconnected", r.reason() + ", silentMs=" + r.silentMs()
                + ", leg=" + (leg == null ? "?" : leg.number));
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

    // ---- what the conversation needs from the audio ----

    /**
     * Once the caller has heard the agent out: the agent says its audio stopped, or none has come for a moment (an
     * agent that does not report its playout).
     */
    @Override
    protected void whenHeard(Runnable action) {
        long deadline = System.nanoTime() + MAX_QUIET_WAIT_NANOS;
        after(Duration.ofMillis(20), new Runnable() {
            @Override
            public void run() {
                long now = System.nanoTime();
                if ((!playing && now - lastAgentVoicedNanos > HEARD_WINDOW_NANOS) || now > deadline) {
                    action.run();
                } else {
                    after(Duration.ofMillis(20), this);
                }
            }
        });
    }

    @Override
    protected void after(Duration delay, Runnable action) {
        if (!closed.get()) {
            timer = route.timers().schedule(() -> {
                if (!closed.get()) {
                    action.run();
                }
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** With a fallback the call goes on over the WebSocket transport: a decoding bridge with a session of its own. */
    @Override
    protected boolean fallBack(AgentFailure failure) {
        if (route.fallback() == null || fallback != null) {
            return false;
        }
        log.warn("call.agent_fallback callId={} to=websocket code={} detail=\"{}\"", callId, failure.code(),
                failure.detail());
        callLog.event(callId, "agent.fallback", "websocket, after " + failure.code());
        ending.set(true); // this conversation is over: the session closing now must not end the call
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
        return true;
    }

    /** The tone, from Opus packets encoded once, then the end; the agent's legs are no longer heard. */
    @Override
    protected void playApology(AgentFailure failure) {
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
                recording.agent(opus, 0, opus.length);
            }
        } finally {
            toCallerLock.unlock();
        }
    }

    @Override
    public boolean wrapUp() {
        CallAudio f = fallback;
        return f != null ? f.wrapUp() : super.wrapUp();
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
        if (!closeConversation()) { // closes the leg in service with its sideband socket
            return;
        }
        recording.stop();
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        CallAudio f = fallback;
        if (f != null) {
            f.close();
        }
        legs.forEach(AgentLeg::close);
        caller.sendBye("call ended");
        log.info("call.relay_closed callId={} legs={} fromCaller={} toCaller={} callerDropped={} agentDropped={} "
                        + "sourceChanges={}", callId, legCount.get(), caller.inbound.stats().audio(),
                toCaller.relayed(), callerDropped.sum(), agentDropped.sum(), toCaller.rebased());
    }
}
