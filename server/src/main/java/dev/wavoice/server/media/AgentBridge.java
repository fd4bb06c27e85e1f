package dev.wavoice.server.media;

import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.stream.AudioStream;
import dev.wavoice.media.stream.AudioStreamListener;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.server.agent.AgentEvent;
import dev.wavoice.server.agent.AgentFailure;
import dev.wavoice.server.agent.AgentSession;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.recording.CallRecording;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's bridge between its {@link AudioStream} (the caller) and an {@link AgentSession} speaking PCM (the
 * WebSocket transport): caller PCM goes to the agent as the pacer delivers it; agent audio deltas go to the outbound
 * queue; the caller speaking over the agent (barge-in) clears that queue at once and truncates the agent's item at
 * what was actually played. The conversation itself is {@link AgentCall}'s.
 *
 * <p>Threads: {@link CallerAudio#onPcm} on the shared pacer thread; agent events on the session's socket thread (one
 * at a time), which is also the only producer into the outbound queue, as {@link AudioStream#send} requires.
 */
final class AgentBridge extends AgentCall {
    private static final Logger log = LoggerFactory.getLogger(AgentBridge.class);

    private final AudioStream stream;
    private final AgentRoute route;
    private final DrainWatcher playout;
    private final CallerPcmHandoff callerPcm;
    private final PlayoutMarks marks;
    private final CallRecording recording;
    /** PCM samples per millisecond at the session's rate. */
    private final int samplesPerMs;

    // Socket-thread state.
    private String item;
    private long utterance;
    private long itemSamples;
    /** The outbound queue's position when the current item began: what of it has been played is measured from it. */
    private long itemStartFrame;
    private String truncatedItem;
    /** An item began after the wrap-up request: the goodbye itself, whose response.done ends the call. */
    private boolean wrapUpItemSeen;
    private boolean audioStarted;

    AgentBridge(WebRtcCallMedia.CallContext call, AgentRoute route) {
        super(call, new Settings(route.callLog(), route.timers(), route.tools(), route.unavailable(),
                route.goodbyeGrace()));
        this.route = route;
        this.stream = new AudioStream(route.audioConfig(), route.codec(), route.pacer(), new CallerAudio());
        this.playout = new DrainWatcher(stream, route.timers());
        this.callerPcm = new CallerPcmHandoff(route.audioConfig().pcmFrame(), route.work());
        this.marks = new PlayoutMarks(stream, route.timers(), this::markPlayed);
        this.samplesPerMs = route.audioConfig().pcmRate() / 1000;
        this.recording = route.recorder().forCall(callId);
    }

    /** Joins the pacer and starts the agent session while the call still rings. */
    void open() {
        stream.start(call.endpoint());
        openSession(() -> route.connector().open(callId, this), () -> "");
    }

    @Override
    protected void sessionOpened(AgentSession s) {
        callerPcm.attach(s);
    }

    /** What the caller's stream delivers: 20 ms of PCM at 24 kHz on the pacer thread, and DTMF keys. */
    private final class CallerAudio implements AudioStreamListener {
        @Override
        public void onPcm(short[] pcm, int off, int len) {
            callerPcm.offer(pcm, off, len);
        }

        @Override
        public void onOpus(byte[] payload, int off, int len, int sequence, long timestamp) {
            recording.caller(payload, off, len);
        }

        @Override
        public void onOpusSent(byte[] payload, int off, int len) {
            recording.agent(payload, off, len);
        }

        @Override
        public void onDtmf(char digit) {
            callerPressed(digit);
        }
    }

    @Override
    public void callConnected() {
        recording.start();
        super.callConnected();
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

    // ---- agent audio ----

    @Override
    protected void onAudioEvent(AgentEvent event) {
        switch (event) {
            case AgentEvent.AudioDelta d -> play(d);
            case AgentEvent.SpeechStarted s -> bargeIn();
            case AgentEvent.Mark m -> marks.mark(m.name());
            case AgentEvent.ClearAudio c -> clearAudio();
            default -> { } // speech stopped; playout events come over WebRTC only, where the agent plays itself
        }
    }

    /** A bot's clear: its queued audio goes at once (the next tick sends nothing of it), its marks are answered. */
    private void clearAudio() {
        // Frames of the item taken by the pacer until now (the one being sent included): after the clear, none more.
        long left = stream.leftPosition();
        long played = item == null ? 0 : left - itemStartFrame;
        long dropped = stream.queuedPosition() - left;
        stream.clear();
        marks.clear();
        endItem(true);
        callLog.event(callId, "agent.clear", "framesPlayed=" + played + " framesDropped=" + dropped);
    }

    private void markPlayed(String name) {
        AgentSession s = session;
        if (s != null && !closed.get()) {
            s.markPlayed(name);
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
            itemStartFrame = stream.queuedPosition();
        }
        stream.send(d.pcm(), 0, d.pcm().length);
        itemSamples += d.pcm().length;
    }

    @Override
    protected boolean goodbyeStarted() {
        return wrapUpItemSeen;
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
        long total = itemSamples / samplesPerMs;
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

    // ---- what the conversation needs from the audio ----

    @Override
    protected void whenHeard(Runnable action) {
        playout.whenDrained(action);
    }

    @Override
    protected void after(Duration delay, Runnable action) {
        playout.after(delay, () -> {
            if (!closed.get()) {
                action.run();
            }
        });
    }

    @Override
    protected void playApology(AgentFailure failure) {
        stream.clear(); // whatever the agent still had queued is moot: the caller hears the tone at once
        short[] tone = ApologyTone.pcm(samplesPerMs * 1000);
        stream.send(tone, 0, tone.length);
        playout.whenDrained(() -> call.end(EndReason.AGENT_FAILED, failure.summary()));
    }

    @Override
    public CallMedia.MediaStats stats() {
        RtcpSession.InboundSummary in = stream.inbound();
        return new CallMedia.MediaStats(in.received(), call.endpoint().stats().rtpSent(), in.lost(),
                in.lossFraction(), in.jitterMillis(), route.agentName());
    }

    @Override
    public void close() {
        playout.cancel();
        marks.cancel();
        if (!closeConversation()) {
            return;
        }
        stream.close();
        recording.stop();
        var st = stream.stats();
        log.info("call.audio_closed callId={} framesIn={} framesOut={} dtxSkipped={} outboundDropped={} clears={} "
                        + "decodeErrors={} encodeErrors={} callerFramesDropped={} slotsGrown={}", callId,
                st.framesDelivered(), st.framesEncoded(), st.dtxSkipped(), st.outbound().overflowDropped(),
                st.outbound().clears(), st.decodeErrors(), st.encodeErrors(), callerPcm.dropped(),
                st.jitter().grownSlots() + st.outbound().grownSlots());
    }
}
