package dev.wavoice.server.sim;

import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.stream.AudioStream;
import dev.wavoice.media.stream.AudioStreamConfig;
import dev.wavoice.media.stream.AudioStreamListener;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
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
public final class SimulatedCaller {
    private static final Logger log = LoggerFactory.getLogger(SimulatedCaller.class);

    private final SimulatedWhatsApp side;
    private final WebhookSender webhooks;
    private final String callId;
    private final String number;
    private final VoiceSource source;
    private final EncodedVoice encoded;
    private long fed;
    /**
     * The echo clock: the tick that sent the latest cycle start, and the first echoed cycle start's RTP timestamp
     * with its send tick (which ties timestamps to ticks, and so to when each tick ran).
     */
    private final boolean echoClock;
    private volatile long lastCycleStartTick = -1;
    private long anchorTimestamp = -1;
    private long anchorTick;
    private final HeardAudio heard;
    private final ArrivalStats arrivals = new ArrivalStats();
    private final AudioStream audio;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final short[] frame = new short[VoiceSource.FRAME];
    private final Object answerLock = new Object();
    private WebRtcTransport transport;
    private WebRtcEndpoint endpoint;
    private boolean answered;
    private Pacer.Registration feeder;
    private volatile long playUntilNanos;
    private volatile long webhookSentNanos;
    private volatile long preAcceptNanos;
    private volatile long acceptNanos;
    private volatile long connectedNanos;
    private volatile long firstAudioNanos;
    private volatile long firstVoicedNanos;
    /** Opus silence and comfort noise take a few bytes a frame; a tone or a voice at 32 kbit/s takes 40 or more. */
    private static final int VOICED_PAYLOAD_BYTES = 20;
    /** Each time the caller paused: how long until voiced audio came back (the agent's answer, or the echo's tail). */
    private final List<Double> replyMillis = new ArrayList<>();
    private volatile long pausedAtNanos;
    private volatile long lastVoicedBackNanos;
    private static final long QUIET_BACK_NANOS = 300_000_000L;
    private volatile boolean lastFedVoiced;
    private volatile long hangUpNanos;
    private volatile String failure;
    private volatile boolean serverHungUp;
    private volatile boolean webhookAccepted;
    private volatile CompletableFuture<Integer> connectDelivery = CompletableFuture.completedFuture(0);

    SimulatedCaller(SimulatedWhatsApp side, WebhookSender webhooks, String callId, String number, VoiceSource source,
            EncodedVoice encoded, boolean record) {
        this.side = side;
        this.encoded = encoded;
        this.echoClock = side.echoTiming() && encoded != null;
        this.webhooks = webhooks;
        this.callId = callId;
        this.number = number;
        this.source = source;
        // One caller alone (simulate) reports its frequencies in detail; a bench's many callers take a few readings.
        this.heard = new HeardAudio(source.frequency(), record, encoded == null ? 40 : 2);
        this.audio = new AudioStream(AudioStreamConfig.speech(48_000), side.codec, side.pacer, new AudioStreamListener() {
            @Override
            public void onPcm(short[] pcm, int off, int len) {
                heard.onPcm(pcm, off, len);
            }
        });
    }

    public String callId() {
        return callId;
    }

    /** Creates the offer and sends the connect webhook; returns at once (the call proceeds in the background). */
    public void dial() throws IOException {
        transport = side.openTransport();
        endpoint = transport.offer(callId, new Media());
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

    /** Plays the voice source for {@code duration} from now (the caller's talk time). */
    public void play(Duration duration) {
        playUntilNanos = System.nanoTime() + duration.toNanos();
    }

    public boolean isConnected() {
        return connectedNanos != 0 && failure == null;
    }

    /** Whether the server has already ended the call (its Graph {@code terminate}). */
    public boolean serverHungUp() {
        return serverHungUp;
    }

    /** Sends the terminate webhook (unless the server hung up or never took the call) and frees the media. */
    public CallResult hangUp() {
        hangUpNanos = System.nanoTime();
        Pacer.Registration f;
        synchronized (answerLock) {
            f = feeder;
            feeder = null;
        }
        if (f != null) {
            f.close();
        }
        try {
            connectDelivery.get(10, TimeUnit.SECONDS); // a terminate must not overtake its connect
        } catch (ExecutionException | TimeoutException ignored) {
            // reported through fail() already, or still undelivered: then no terminate is owed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (webhookAccepted && !serverHungUp) {
            try {
                long seconds = connectedNanos == 0 ? 0 : Math.round((hangUpNanos - connectedNanos) / 1e9);
                Integer status = webhooks.terminate(callId, number, seconds).get(10, TimeUnit.SECONDS);
                if (status != 200) {
                    log.warn("sim.terminate_rejected call_id={} status={}", callId, status);
                }
            } catch (ExecutionException | TimeoutException e) {
                log.warn("sim.terminate_failed call_id={} error=\"{}\"", callId, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        side.graph.unregister(callId);
        audio.close();
        if (endpoint != null) {
            endpoint.close();
        }
        if (transport != null) {
            try {
                transport.close();
            } catch (IOException e) {
                log.debug("sim.transport_close_failed call_id={} error=\"{}\"", callId, e.toString());
            }
        }
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

    /** Per-call arrival statistics (for histograms over many calls). */
    public ArrivalStats arrivals() {
        return arrivals;
    }

    /** Everything heard, 48 kHz mono (empty unless the caller was created to record). */
    public short[] recording() {
        return heard.recording();
    }

    private double since(long nanos) {
        return nanos == 0 ? Double.NaN : (nanos - webhookSentNanos) / 1e6;
    }

    private void fail(String reason) {
        if (failure == null) {
            failure = reason;
            log.info("sim.call_failed call_id={} reason=\"{}\"", callId, reason);
        }
        connected.completeExceptionally(new IllegalStateException(reason));
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

    // ---- the endpoint: events and media, on the shared receive thread ----

    private final class Media implements MediaListener {
        /** A view over each packet heard, reused: onRtp runs on the one receive thread. */
        private final RtpPacket rtp = new RtpPacket();

        @Override
        public void onEvent(EndpointEvent event) {
            switch (event) {
                case EndpointEvent.Connected c -> {
                    connectedNanos = System.nanoTime();
                    if (endpoint.selectedPair() != null) {
                        side.connectedTo(endpoint.selectedPair().remote().address());
                    }
                    synchronized (answerLock) {
                        feeder = side.pacer.register(SimulatedCaller.this::feed);
                    }
                    connected.complete(null);
                }
                case EndpointEvent.Failed f -> fail("media failed: " + f.reason());
                case EndpointEvent.Closed c -> {
                    if (connectedNanos == 0) {
                        fail("media closed before connecting: " + c.reason());
                    }
                }
            }
            audio.onEvent(event);
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            long now = System.nanoTime();
            int payload = rtp.wrap(buf, off, len) ? rtp.payloadLength() : 0;
            if (payload > 2) { // 1-2 byte payloads are DTX, not audio
                if (firstAudioNanos == 0) {
                    firstAudioNanos = now;
                }
                if (firstVoicedNanos == 0 && payload > VOICED_PAYLOAD_BYTES) {
                    firstVoicedNanos = now;
                }
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
                int sequence = rtp.sequence();
                long timestamp = rtp.timestamp();
                if (echoClock && anchorTimestamp < 0 && lastCycleStartTick >= 0
                        && encoded.isCycleStart(buf, rtp.payloadOffset(), payload)) {
                    anchorTick = lastCycleStartTick;
                    anchorTimestamp = timestamp;
                }
                arrivals.onPacket(sequence, timestamp, now, !side.timingPaused(),
                        echoClock ? SimulatedCaller.this::sentNanos : null);
            }
            audio.onRtp(buf, off, len);
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
            audio.onRtcp(buf, off, len);
        }
    }

    // ---- the caller's voice, on the shared pacer thread ----

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

    private void feed(long tickIndex, long nowNanos) {
        boolean talking = nowNanos < playUntilNanos;
        if (echoClock && talking && fed % encoded.cycleLength() == 0) {
            lastCycleStartTick = tickIndex + 1;
        }
        if (encoded != null) {
            byte[] f = talking ? encoded.frame(fed++) : encoded.pause();
            audio.sendOpus(f, 0, f.length);
            boolean voiced = f.length > VOICED_PAYLOAD_BYTES;
            // The caller paused with nothing playing back: from now on the answer is awaited (a pause while the
            // agent is still talking measures nothing).
            if (lastFedVoiced && !voiced && nowNanos - lastVoicedBackNanos > QUIET_BACK_NANOS) {
                pausedAtNanos = nowNanos;
            }
            lastFedVoiced = voiced;
        } else if (talking) {
            source.next(frame);
            audio.send(frame, 0, VoiceSource.FRAME);
        }
    }
}
