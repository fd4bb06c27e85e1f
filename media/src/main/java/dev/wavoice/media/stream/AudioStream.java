package dev.wavoice.media.stream;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.Resampler;
import dev.wavoice.media.playout.JitterBuffer;
import dev.wavoice.media.playout.OutboundQueue;
import dev.wavoice.media.playout.Pacer;
import dev.wavoice.media.playout.OutboundFrame;
import dev.wavoice.media.playout.Playout;
import dev.wavoice.media.rtp.AudioLevel;
import dev.wavoice.media.rtp.DtmfEvent;
import dev.wavoice.media.rtp.InboundRtp;
import dev.wavoice.media.rtp.OutboundRtp;
import dev.wavoice.media.rtp.RtcpSession;
import dev.wavoice.media.rtp.RtpPacket;
import dev.wavoice.media.rtp.TelephoneEventReceiver;
import dev.wavoice.media.rtp.TelephoneEventSender;
import dev.wavoice.media.sdp.NegotiatedAudio;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import java.security.SecureRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One call's audio over a {@link WebRtcEndpoint}: the public face the bridge uses. Inbound: SRTP-decrypted RTP →
 * jitter buffer → Opus decode (FEC, PLC) at the application's rate → {@link AudioStreamListener#onPcm} every 20 ms.
 * Outbound: {@link #send} PCM → Opus encode at the application's rate (on the caller's thread) → frame queue → the
 * shared 20 ms {@link Pacer} → RTP → endpoint (SRTP); an idle stream sends nothing, as Opus DTX would. DTMF both
 * ways (RFC 4733), RTCP reports on schedule.
 *
 * <p>Threads: packets arrive on the shared port's receive thread; the pacer thread decodes, plays out and sends;
 * one application thread calls {@link #send}/{@link #clear} and pays for encoding. The jitter buffer and RTCP
 * state are shared by the first two under a per-call lock held for microseconds (never a global one); decoding
 * runs outside it.
 *
 * <p>Rates: Opus takes and gives PCM at 8..48 kHz at its API while RTP keeps the 48 kHz clock (RFC 7587), so the
 * codec runs at {@link AudioStreamConfig#pcmRate()} and no resampler is needed; timestamps and the jitter buffer
 * count 48 kHz ticks (960 per 20 ms) and frame sizes handed to the codec are converted. The one exception is a codec
 * that cannot decode every packet at that rate ({@link OpusCodec#decodeRateFor}): it decodes at 48 kHz and a
 * resampler brings the audio down.
 */
public final class AudioStream implements MediaListener, AutoCloseable {
    private static final int MAX_OPUS = 1275;
    private static final int FRAME = AudioStreamConfig.FRAME_48K;
    private static final int RTP_CLOCK = 48_000;

    private final AudioStreamConfig config;
    private final AudioStreamListener listener;
    private final Pacer pacer;
    private final OpusEncoder encoder;
    private final OpusDecoder decoder;
    private final int decodeRate;
    /** Null unless the codec decodes at another rate than the application's (Concentus, for hybrid packets). */
    private final Resampler down;
    private final JitterBuffer jitter;
    private final OutboundQueue outbound;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Held by the pacer for a whole tick and by {@link #close()} before it frees the codecs: a native codec freed
     * while a tick is inside {@code opus_encode} would crash the process, not just the call.
     */
    private final ReentrantLock codecs = new ReentrantLock();
    /**
     * Held by the producer while it encodes and by {@link #close()} before it frees the encoder: outbound audio is
     * encoded on the producer's thread, never on the shared pacer thread (which 200 calls' encoders would overrun),
     * and queued as Opus, about 20 times smaller than the PCM it replaces.
     */
    private final ReentrantLock encoding = new ReentrantLock();
    private volatile boolean closed;

    // Pacer-thread state.
    private final short[] decoded; // the decoder's output: the same array as delivered unless resampling
    private final short[] delivered;
    private final byte[] opusIn = new byte[MAX_OPUS];
    private final byte[] packet = new byte[1500];
    private long timestampBase;
    private boolean talking;
    // Receive-thread state: the packet just accepted, for the raw-Opus callback outside the lock.
    private int opusSequence;
    private long opusTimestamp;
    private int opusOffset;
    private int opusLength;
    // Producer-thread state.
    private final int pcmFrame;
    private final short[] frame;
    private final byte[] opusOut;
    private int frameFill;

    private final LongAdder framesDelivered = new LongAdder(), framesEncoded = new LongAdder(),
            dtxSkipped = new LongAdder(), decodeErrors = new LongAdder(), droppedBeforeStart = new LongAdder(),
            dtmfReceived = new LongAdder(), framesAfterClear = new LongAdder(), encodeErrors = new LongAdder();

    private volatile WebRtcEndpoint endpoint;
    private volatile InboundRtp inbound;
    private volatile OutboundRtp rtp;
    private volatile RtcpSession rtcp;
    private volatile TelephoneEventSender dtmfOut;
    private volatile int opusPayloadType;
    private volatile Pacer.Registration registration;

    public AudioStream(AudioStreamConfig config, OpusCodec codec, Pacer pacer, AudioStreamListener listener) {
        this.config = config;
        this.listener = listener;
        this.pacer = pacer;
        this.encoder = codec.newEncoder(config.pcmRate(), config.bitrate(), config.complexity());
        encoder.setInbandFec(config.expectedLossPercent() > 0, config.expectedLossPercent());
        // No Opus DTX: an idle stream already sends nothing, and DTX would also drop loud stationary sound (a
        // chime, a held tone) that its activity detector takes for background noise.
        encoder.setDtx(false);
        this.decodeRate = codec.decodeRateFor(config.pcmRate());
        this.decoder = codec.newDecoder(decodeRate);
        // 120 ms, the longest Opus frame, at the decoder's and the application's rate
        this.delivered = new short[Math.max(config.pcmFrame() * 6, 64)];
        if (decodeRate == config.pcmRate()) {
            this.down = null;
            this.decoded = delivered;
        } else {
            this.down = Resampler.create(decodeRate, config.pcmRate());
            this.decoded = new short[decodeRate / 50 * 6];
        }
        this.pcmFrame = config.pcmFrame();
        this.frame = new short[pcmFrame];
        // Our own frames are capped at the queue's slot size (twice the mean at the bitrate), so they never grow one.
        int slot = config.outbound().slotEncodedBytes();
        this.opusOut = new byte[slot > 0 ? slot : MAX_OPUS];
        this.jitter = new JitterBuffer(config.jitter());
        this.outbound = new OutboundQueue(config.outbound());
    }

    /**
     * Binds the stream to its endpoint once offer/answer is settled (payload types, SSRC) and joins the pacer.
     * Media that arrives before is dropped and counted.
     */
    public void start(WebRtcEndpoint endpoint) {
        NegotiatedAudio agreed = endpoint.negotiated();
        SecureRandom random = new SecureRandom();
        int te = agreed.telephoneEventPayloadType().orElse(-1);
        int level = agreed.audioLevelExtensionId().orElse(-1);
        OutboundRtp out = OutboundRtp.create(endpoint.localSsrc(), RTP_CLOCK, Math.max(level, 0), random);
        RtcpSession session = RtcpSession.forCall(out, endpoint.localCname(), RTP_CLOCK, random);
        TelephoneEventReceiver dtmfIn = te < 0 ? null : TelephoneEventReceiver.withDefaults(this::onDtmfEvent);
        this.opusPayloadType = agreed.opusPayloadType();
        this.timestampBase = random.nextLong(0, 1L << 32);
        this.rtp = out;
        this.rtcp = session;
        this.dtmfOut = te < 0 ? null : TelephoneEventSender.defaults(te);
        this.inbound = new InboundRtp(opusPayloadType, te, level, session, dtmfIn);
        this.endpoint = endpoint;
        this.registration = pacer.register(this::tick);
    }

    // ---- application side ----

    /**
     * Queues caller-bound audio at the configured PCM rate, in chunks of any size (one producer thread). Each full
     * 20 ms frame is encoded here, on the calling thread, and queued as Opus.
     */
    public void send(short[] pcm, int off, int len) {
        while (len > 0) {
            int n = Math.min(pcmFrame - frameFill, len);
            System.arraycopy(pcm, off, frame, frameFill, n);
            frameFill += n;
            off += n;
            len -= n;
            if (frameFill == pcmFrame) {
                encodeFrame(pcmFrame);
            }
        }
    }

    /** Encodes the frame being built; {@code samples} (at the application's rate) of it are real audio. */
    private void encodeFrame(int samples) {
        int n;
        encoding.lock();
        try {
            if (closed) {
                frameFill = 0;
                return;
            }
            n = encoder.encode(frame, 0, pcmFrame, opusOut, 0, opusOut.length);
        } finally {
            encoding.unlock();
        }
        frameFill = 0;
        if (n <= 0) {
            encodeErrors.increment();
            return;
        }
        // DTX frames (1-2 bytes) keep their 20 ms place in the queue, so played time stays exact; not sent.
        // the queue counts played time in RTP clock ticks, as sendOpus does
        if (!outbound.offerEncoded(opusOut, 0, n, samples * (RTP_CLOCK / config.pcmRate()))) {
            encodeErrors.increment();
        }
    }

    /**
     * Queues one already-encoded 20 ms Opus frame (Opus passthrough: an agent that speaks Opus costs no
     * transcoding here).
     */
    public boolean sendOpus(byte[] opus, int off, int len) {
        return outbound.offerEncoded(opus, off, len, FRAME);
    }

    /** Marks the start of an utterance (an agent response); its played time is then tracked. */
    public void beginUtterance(long utteranceId) {
        endUtterance();
        outbound.beginUtterance(utteranceId);
    }

    /** Ends the current utterance: a partial last frame is padded with silence and queued. */
    public void endUtterance() {
        if (frameFill > 0) {
            int real = frameFill;
            java.util.Arrays.fill(frame, frameFill, pcmFrame, (short) 0);
            encodeFrame(real);
        }
        outbound.endUtterance();
    }

    /** Milliseconds of the utterance actually sent to the caller: what to truncate the agent's transcript at. */
    public long playedMillis(long utteranceId) {
        return outbound.playedMillis(utteranceId);
    }

    /** Caller-bound frames waiting in the queue now (no allocation: polled while waiting for a goodbye to play). */
    public int queuedFrames() {
        return outbound.queuedFrames();
    }

    /**
     * Flushes a partial frame (padded with silence) and returns the queue position after the audio sent so far:
     * once {@link #leftPosition()} reaches it, all of that audio has been played (or cleared).
     */
    public long markPosition() {
        endUtterance();
        return outbound.queuedPosition();
    }

    /** Frames queued since the stream began (a partial frame not yet among them). */
    public long queuedPosition() {
        return outbound.queuedPosition();
    }

    /** Frames that have left the outbound queue (sent, cleared or dropped) since the stream began. */
    public long leftPosition() {
        return outbound.leftPosition();
    }

    /** Barge-in: drops everything queued; effective on the next tick (at most the frame being sent goes out). */
    public void clear() {
        frameFill = 0; // a half-built frame from before the barge-in must not play either
        outbound.clear();
        framesAfterClear.reset();
    }

    /** Sends DTMF digits (RFC 4733) in place of audio; false when telephone-event was not negotiated or busy. */
    public boolean sendDtmf(String digits) {
        TelephoneEventSender s = dtmfOut;
        return s != null && s.send(digits);
    }

    // ---- receive thread ----

    @Override
    public void onEvent(EndpointEvent event) {
        listener.onEvent(event);
    }

    @Override
    public void onRtp(byte[] buf, int off, int len) {
        InboundRtp in = inbound;
        if (in == null) {
            droppedBeforeStart.increment();
            return;
        }
        long now = System.nanoTime();
        lock.lock();
        try {
            RtpPacket p = in.accept(buf, off, len, now);
            if (p == null) {
                return;
            }
            jitter.put(p.sequence(), p.timestamp(), buf, p.payloadOffset(), p.payloadLength(), now);
            opusSequence = p.sequence();
            opusTimestamp = p.timestamp();
            opusOffset = p.payloadOffset();
            opusLength = p.payloadLength();
        } finally {
            lock.unlock();
        }
        listener.onOpus(buf, opusOffset, opusLength, opusSequence, opusTimestamp);
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
        RtcpSession session = rtcp;
        if (session == null) {
            return;
        }
        lock.lock();
        try {
            session.onRtcp(buf, off, len, System.nanoTime());
        } finally {
            lock.unlock();
        }
    }

    private void onDtmfEvent(DtmfEvent event) {
        if (event instanceof DtmfEvent.Ended ended && ended.digit() != 0) {
            dtmfReceived.increment();
            listener.onDtmf(ended.digit());
        }
    }

    // ---- pacer thread, every 20 ms ----

    private void tick(long tickIndex, long nowNanos) {
        codecs.lock();
        try {
            if (!closed) {
                tickOpen(tickIndex, nowNanos);
            }
        } finally {
            codecs.unlock();
        }
    }

    private void tickOpen(long tickIndex, long nowNanos) {
        WebRtcEndpoint ep = endpoint;
        if (ep == null) {
            return;
        }
        playOut(nowNanos);
        sendFrame(ep, tickIndex, nowNanos);
        int n;
        lock.lock();
        try {
            n = rtcp.poll(packet, 0, nowNanos);
        } finally {
            lock.unlock();
        }
        if (n > 0) {
            ep.sendRtcp(packet, 0, n);
        }
    }

    private void playOut(long nowNanos) {
        int samples;
        int payload = 0;
        boolean fec = false;
        Playout what;
        lock.lock();
        try {
            what = jitter.poll(nowNanos);
            switch (what) {
                case Playout.Packet p -> payload = p.payload().copyTo(opusIn, 0);
                case Playout.Fec f -> {
                    payload = f.nextPayload().copyTo(opusIn, 0);
                    fec = true;
                }
                default -> { }
            }
            // the buffer counts 48 kHz RTP ticks; the decoder wants samples at its own rate
            samples = Math.min(what.samples() / (RTP_CLOCK / decodeRate), decoded.length);
        } finally {
            lock.unlock();
        }
        int produced = switch (what) {
            case Playout.Packet p -> decoder.decode(opusIn, 0, payload, decoded, 0, samples, false);
            case Playout.Fec f -> decoder.decode(opusIn, 0, payload, decoded, 0, samples, true);
            case Playout.Conceal c -> decoder.conceal(decoded, 0, samples);
            case Playout.Silence s -> {
                java.util.Arrays.fill(decoded, 0, samples, (short) 0);
                yield samples;
            }
            case Playout.Empty e -> 0;
        };
        if (produced < 0) {
            decodeErrors.increment();
            produced = decoder.conceal(decoded, 0, samples);
        }
        if (produced <= 0) {
            return;
        }
        int out = down == null ? produced : down.process(decoded, 0, produced, delivered, 0);
        framesDelivered.increment();
        listener.onPcm(delivered, 0, out);
    }

    private void sendFrame(WebRtcEndpoint ep, long tickIndex, long nowNanos) {
        long timestamp = timestampBase + tickIndex * FRAME;
        TelephoneEventSender events = dtmfOut;
        if (events != null && !events.idle()) {
            int n = events.poll(rtp, timestamp, packet, 0, nowNanos);
            if (n > 0) {
                ep.sendRtp(packet, 0, n);
                return;
            }
        }
        if (!outbound.poll()) {
            talking = false; // nothing to say: send nothing, as Opus DTX would; the next frame carries the marker
            return;
        }
        OutboundFrame frame = outbound.current();
        framesAfterClear.increment();
        int header = rtp.headerLength();
        int n = Math.min(frame.encodedLength(), MAX_OPUS);
        System.arraycopy(frame.encoded(), 0, packet, header, n);
        int level = AudioLevel.pack(30, true); // -30 dBov: not known without decoding, so marked as voice
        if (n <= 2) {
            // RFC 6716 / libopus: a DTX frame of 1-2 bytes need not be sent; the decoder conceals the gap.
            dtxSkipped.increment();
            talking = false;
            return;
        }
        rtp.writeHeader(packet, 0, opusPayloadType, !talking, timestamp, level, n, nowNanos);
        talking = true;
        if (ep.sendRtp(packet, 0, header + n)) {
            framesEncoded.increment();
        }
        // The payload is still in place: SRTP protects into a buffer of its own (WebRtcEndpoint#sendRtp).
        listener.onOpusSent(packet, header, n);
    }

    public AudioStreamStats stats() {
        TelephoneEventSender events = dtmfOut;
        RtcpSession session = rtcp;
        return new AudioStreamStats(framesDelivered.sum(), framesEncoded.sum(), dtxSkipped.sum(), decodeErrors.sum(),
                droppedBeforeStart.sum(), dtmfReceived.sum(), events == null ? 0 : events.sentDigits(),
                framesAfterClear.sum(), jitter.stats(), outbound.stats(), session == null ? null : session.stats(),
                encodeErrors.sum());
    }

    /** The caller's packets received and lost and their jitter (RFC 3550 reception figures). */
    public RtcpSession.InboundSummary inbound() {
        RtcpSession session = rtcp;
        return session == null ? new RtcpSession.InboundSummary(0, 0, 0, 0) : session.inbound();
    }

    /** Leaves the pacer and frees the codecs once no tick is using them; idempotent. */
    @Override
    public void close() {
        Pacer.Registration r = registration;
        if (r != null) {
            r.close();
        }
        codecs.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            decoder.close();
            encoding.lock();
            try {
                encoder.close();
            } finally {
                encoding.unlock();
            }
        } finally {
            codecs.unlock();
        }
    }
}
