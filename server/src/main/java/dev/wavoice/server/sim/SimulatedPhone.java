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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a simulated WhatsApp phone does with its media, whoever placed the call: it talks (its voice on the shared
 * pacer), hears (timing each packet, judging the audio), knows when ICE and DTLS came up, and frees its port at the
 * end. {@link SimulatedCaller} (the user calls) and {@link SimulatedUser} (the business calls) add their signalling.
 */
abstract class SimulatedPhone {
    private static final Logger log = LoggerFactory.getLogger(SimulatedPhone.class);
    /** Opus silence and comfort noise take a few bytes a frame; a tone or a voice at 32 kbit/s takes 40 or more. */
    static final int VOICED_PAYLOAD_BYTES = 20;

    final SimulatedWhatsApp side;
    final VoiceSource source;
    final EncodedVoice encoded;
    final HeardAudio heard;
    final ArrivalStats arrivals = new ArrivalStats();
    final AudioStream audio;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final short[] frame = new short[VoiceSource.FRAME];
    private final Object feederLock = new Object();
    private Pacer.Registration feeder;
    private long fed;
    WebRtcTransport transport;
    WebRtcEndpoint endpoint;
    volatile long connectedNanos;
    volatile long firstAudioNanos;
    volatile long firstVoicedNanos;
    private volatile long playUntilNanos;
    volatile String failure;
    volatile boolean serverHungUp;

    /** @param record keep everything heard for {@link #recording()} */
    SimulatedPhone(SimulatedWhatsApp side, VoiceSource source, EncodedVoice encoded, boolean record) {
        this.side = side;
        this.source = source;
        this.encoded = encoded;
        // One phone alone (simulate) reports its frequencies in detail; a bench's many phones take a few readings.
        this.heard = new HeardAudio(source.frequency(), record, encoded == null ? 40 : 2);
        this.audio = new AudioStream(AudioStreamConfig.speech(48_000), side.codec, side.pacer, new AudioStreamListener() {
            @Override
            public void onPcm(short[] pcm, int off, int len) {
                heard.onPcm(pcm, off, len);
            }
        });
    }

    /** Talks for {@code duration} from now. */
    public void play(Duration duration) {
        playUntilNanos = System.nanoTime() + duration.toNanos();
    }

    /** Whether the server has already ended the call (its Graph {@code terminate}). */
    public boolean serverHungUp() {
        return serverHungUp;
    }

    /** Per-call arrival statistics (for histograms over many calls). */
    public ArrivalStats arrivals() {
        return arrivals;
    }

    /** Everything heard, 48 kHz mono (empty unless the phone was created to record). */
    public short[] recording() {
        return heard.recording();
    }

    /** Records the first failure (later ones are consequences) and wakes whoever waits for the media. */
    void fail(String reason) {
        if (failure == null) {
            failure = reason;
            logFailure(reason);
        }
        connected.completeExceptionally(new IllegalStateException(reason));
    }

    abstract void logFailure(String reason);

    /** The listener to give the endpoint. */
    MediaListener media() {
        return new Media();
    }

    /** ICE and DTLS are up, on the receive thread, before talking starts. */
    void mediaConnected() {
    }

    /** A packet with audio in it (not DTX) arrived at {@code nowNanos}; {@code rtp} views it. */
    void heardAudio(RtpPacket rtp, int payload, long nowNanos) {
    }

    /** When each heard packet was sent, for one-way timing; null when the phone cannot tell. */
    ArrivalStats.SendClock sendClock() {
        return null;
    }

    /** Before each frame is fed: {@code talking} says whether it is voice or a pause. */
    void beforeFrame(long tickIndex, boolean talking) {
    }

    /** After an encoded frame went to the stream. */
    void afterEncodedFrame(byte[] frame, long nowNanos) {
    }

    /** Stops talking: the feeder leaves the pacer. */
    void stopTalking() {
        Pacer.Registration f;
        synchronized (feederLock) {
            f = feeder;
            feeder = null;
        }
        if (f != null) {
            f.close();
        }
    }

    /** Waits for a hang-up webhook's answer (bounded), logging what went wrong. */
    static void awaitHangUp(String callId, CompletableFuture<Integer> delivery) {
        try {
            int status = delivery.get(10, TimeUnit.SECONDS);
            if (status != 200) {
                log.warn("sim.terminate_rejected call_id={} status={}", callId, status);
            }
        } catch (ExecutionException | TimeoutException e) {
            log.warn("sim.terminate_failed call_id={} error=\"{}\"", callId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits (bounded) for a webhook this phone sent before: a hang-up must not overtake it. */
    static void awaitDelivered(CompletableFuture<Integer> delivery) {
        try {
            delivery.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException ignored) {
            // reported through fail() already, or still undelivered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Frees the stream, the endpoint and the phone's media port. */
    void freeMedia(String callId) {
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
    }

    // ---- the endpoint: events and media, on the transport's receive thread ----

    private final class Media implements MediaListener {
        /** A view over each packet heard, reused: onRtp runs on the one receive thread. */
        private final RtpPacket rtp = new RtpPacket();

        @Override
        public void onEvent(EndpointEvent event) {
            switch (event) {
                case EndpointEvent.Connected c -> {
                    connectedNanos = System.nanoTime();
                    mediaConnected();
                    synchronized (feederLock) {
                        feeder = side.pacer.register(SimulatedPhone.this::feed);
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
                heardAudio(rtp, payload, now);
                arrivals.onPacket(rtp.sequence(), rtp.timestamp(), now, !side.timingPaused(), sendClock());
            }
            audio.onRtp(buf, off, len);
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
            audio.onRtcp(buf, off, len);
        }
    }

    // ---- the phone's voice, on the shared pacer thread ----

    private void feed(long tickIndex, long nowNanos) {
        boolean talking = nowNanos < playUntilNanos;
        beforeFrame(tickIndex, talking);
        if (encoded != null) {
            byte[] f = talking ? encoded.frame(fed++) : encoded.pause();
            audio.sendOpus(f, 0, f.length);
            afterEncodedFrame(f, nowNanos);
        } else if (talking) {
            source.next(frame);
            audio.send(frame, 0, VoiceSource.FRAME);
        }
    }

    /** Frames fed so far (the echo clock counts cycles by them). */
    long fed() {
        return fed;
    }
}
