package dev.wavoice.server.sim;

import dev.wavoice.media.rtp.RtpPacket;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated WhatsApp user: offers (media module as Meta's edge), sends the signed connect webhook, takes the
 * answer from the Graph stand-in's {@code pre_accept}, plays its {@link VoiceSource} once connected and judges
 * what comes back, then sends the terminate webhook. Timestamps of each step are kept for the report.
 */
public final class SimulatedCaller extends SimulatedPhone {
    private static final Logger log = LoggerFactory.getLogger(SimulatedCaller.class);

    private final WebhookSender webhooks;
    private final String callId;
    private final String number;
    /**
     * The echo clock: the tick that sent the latest cycle start, and the first echoed cycle start's RTP timestamp
     * with its send tick (which ties timestamps to ticks, and so to when each tick ran).
     */
    private final boolean echoClock;
    private volatile long lastCycleStartTick = -1;
    private long anchorTimestamp = -1;
    private long anchorTick;
    private final Object answerLock = new Object();
    private boolean answered;
    private volatile long webhookSentNanos;
    private volatile long preAcceptNanos;
    private volatile long acceptNanos;
    /** Each time the caller paused: how long until voiced audio came back (the agent's answer, or the echo's tail). */
    private final List<Double> replyMillis = new ArrayList<>();
    private volatile long pausedAtNanos;
    private volatile long lastVoicedBackNanos;
    private static final long QUIET_BACK_NANOS = 300_000_000L;
    private volatile boolean lastFedVoiced;
    private volatile long hangUpNanos;
    private volatile boolean webhookAccepted;
    private volatile CompletableFuture<Integer> connectDelivery = CompletableFuture.completedFuture(0);

    SimulatedCaller(SimulatedWhatsApp side, WebhookSender webhooks, String callId, String number, VoiceSource source,
            EncodedVoice encoded, boolean record) {
        super(side, source, encoded, record);
        this.echoClock = side.echoTiming() && encoded != null;
        this.webhooks = webhooks;
        this.callId = callId;
        this.number = number;
    }

    public String callId() {
        return callId;
    }

    /** Creates the offer and sends the connect webhook; returns at once (the call proceeds in the background). */
    public void dial() throws IOException {
        transport = side.openTransport();
        endpoint = transport.offer(callId, media());
        side.graph.register(callId, this::onGraphAction);
        webhookSentNanos = System.nanoTime();
        // The stage after the check, so that waiting on it also waits for webhookAccepted to be settled.
        connectDelivery = webhooks.connect(callId, number, endpoint.localDescription()).whenComplete((status, error) -> {
            if (error != null) {
                fail("connect webhook not delivered: " + error);
            } else if (status != 200) {
                fail("connect webhook answered HTTP " + status);
            } else {
                webhookAccepted = true;
            }
        });
    }

    /** Records that the call could not even be placed (no local media port). */
    void failDial(IOException e) {
        fail("could not open a media port: " + e);
    }

    /** Waits until ICE + DTLS are up (true), or the call failed or the time ran out (false; see the result). */
    public boolean awaitConnected(Duration timeout) {
        try {
            connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            fail("not connected within " + timeout.toSeconds() + " s (" + (preAcceptNanos == 0
                    ? "pre_accept never received: is the server's WHATSAPP_GRAPH_URL this Graph port, and its"
                            + " WHATSAPP_ACCESS_TOKEN set?" : "pre_accept received, media did not connect") + ")");
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isConnected() {
        return connectedNanos != 0 && failure == null;
    }

    /** Sends the terminate webhook (unless the server hung up or never took the call) and frees the media. */
    public CallResult hangUp() {
        hangUpNanos = System.nanoTime();
        stopTalking();
        // A terminate must not overtake its connect; one still undelivered is owed no terminate.
        awaitDelivered(connectDelivery);
        if (webhookAccepted && !serverHungUp) {
            long seconds = connectedNanos == 0 ? 0 : Math.round((hangUpNanos - connectedNanos) / 1e9);
            awaitHangUp(callId, webhooks.terminate(callId, number, seconds));
        }
        side.graph.unregister(callId);
        freeMedia(callId);
        return result();
    }

    private CallResult result() {
        long sentFrames = audio.stats().framesEncoded();
        return new CallResult(callId, failure, since(preAcceptNanos), since(acceptNanos), since(connectedNanos),
                since(firstAudioNanos), since(firstVoicedNanos), replies(), connectedNanos == 0 ? 0 : (hangUpNanos - connectedNanos) / 1e9, sentFrames,
                arrivals.received(), arrivals.lost(), arrivals.lateOver5ms(), arrivals.timed(), source.frequency(),
                heard.detectedHz(), heard.voicedWindows(), heard.toneWindows(), heard.frequenciesHeard(), serverHungUp);
    }

    private List<Double> replies() {
        synchronized (replyMillis) {
            return List.copyOf(replyMillis);
        }
    }

    private double since(long nanos) {
        return nanos == 0 ? Double.NaN : (nanos - webhookSentNanos) / 1e6;
    }

    @Override
    void logFailure(String reason) {
        log.info("sim.call_failed call_id={} reason=\"{}\"", callId, reason);
    }

    // ---- Meta's relay: what the business did, on a Graph stand-in worker thread ----

    private void onGraphAction(GraphStandIn.Action action) {
        switch (action.action()) {
            case "pre_accept" -> {
                preAcceptNanos = action.receivedNanos();
                applyAnswer(action.sdp());
            }
            case "accept" -> {
                acceptNanos = action.receivedNanos();
                applyAnswer(action.sdp());
            }
            case "reject" -> fail("the server rejected the call");
            case "terminate" -> {
                serverHungUp = true;
                if (connectedNanos == 0) {
                    fail("the server terminated the call before media connected");
                }
            }
            default -> log.debug("sim.graph_action call_id={} action={}", callId, action.action());
        }
    }

    private void applyAnswer(String sdp) {
        synchronized (answerLock) {
            if (answered) {
                return;
            }
            if (sdp == null || sdp.isBlank()) {
                fail("pre_accept/accept without session.sdp");
                return;
            }
            answered = true;
            try {
                endpoint.applyAnswer(sdp);
                audio.start(endpoint);
            } catch (Exception e) {
                fail("the answer SDP is unusable: " + e.getMessage());
            }
        }
    }

    // ---- what this caller adds to the phone: the selected path, reply times and the echo clock ----

    @Override
    void mediaConnected() {
        if (endpoint.selectedPair() != null) {
            side.connectedTo(endpoint.selectedPair().remote().address());
        }
    }

    @Override
    void heardAudio(RtpPacket rtp, int payload, long now) {
        long paused = pausedAtNanos;
        if (payload > VOICED_PAYLOAD_BYTES) {
            lastVoicedBackNanos = now;
        }
        if (payload > VOICED_PAYLOAD_BYTES && paused != 0 && !lastFedVoiced) {
            pausedAtNanos = 0;
            synchronized (replyMillis) {
                replyMillis.add((now - paused) / 1e6);
            }
        }
        if (echoClock && anchorTimestamp < 0 && lastCycleStartTick >= 0
                && encoded.isCycleStart(rtp.buffer(), rtp.payloadOffset(), payload)) {
            anchorTick = lastCycleStartTick;
            anchorTimestamp = rtp.timestamp();
        }
    }

    @Override
    ArrivalStats.SendClock sendClock() {
        return echoClock ? this::sentNanos : null;
    }

    /**
     * Echo timing: a frame queued by the feeder goes out on the next tick (the stream ticks before the feeder: it
     * registered first), and its RTP timestamp advances 960 per tick from the anchor.
     */
    private long sentNanos(long timestamp32) {
        if (anchorTimestamp < 0) {
            return -1;
        }
        return side.tickNanos(anchorTick + (int) (timestamp32 - anchorTimestamp) / 960);
    }

    @Override
    void beforeFrame(long tickIndex, boolean talking) {
        if (echoClock && talking && fed() % encoded.cycleLength() == 0) {
            lastCycleStartTick = tickIndex + 1;
        }
    }

    @Override
    void afterEncodedFrame(byte[] frame, long nowNanos) {
        boolean voiced = frame.length > VOICED_PAYLOAD_BYTES;
        // The caller paused with nothing playing back: from now on the answer is awaited (a pause while the agent is
        // still talking measures nothing).
        if (lastFedVoiced && !voiced && nowNanos - lastVoicedBackNanos > QUIET_BACK_NANOS) {
            pausedAtNanos = nowNanos;
        }
        lastFedVoiced = voiced;
    }
}
