package dev.wavoice.server.media;

import dev.wavoice.media.audio.OpusCodec;
import dev.wavoice.media.audio.OpusDecoder;
import dev.wavoice.media.audio.OpusEncoder;
import dev.wavoice.media.audio.SineGenerator;
import dev.wavoice.media.rtp.RtpHeaderWriter;
import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.media.webrtc.WebRtcTransportConfig;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.MediaException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A call from this process to itself before the service takes real ones, so that the first caller does not pay for
 * class loading and interpreted code: the media module offers as WhatsApp's edge would (full ICE, controlling) from
 * a loopback port of its own, and the service's own media port answers it through the answer path of every call
 * (SDP, ICE, DTLS, SRTP) with the echo route, which needs no agent. The caller sends Opus frames of a tone and
 * decodes what comes back, so the codec is exercised too. Nothing here touches call control, the call log or Graph.
 */
public final class LoopbackSelfCall implements SelfCall {
    /** How many 20 ms frames each self-call sends and expects back: enough to run RTP/SRTP both ways many times. */
    static final int FRAMES = 25;
    private static final int SAMPLES = 960;

    private final CallMedia answerer;
    private final OpusCodec codec;
    /** Every other self-call's offer says ICE-lite, as WhatsApp's edge does (see {@link #asIceLiteEdge}). */
    private final AtomicLong calls = new AtomicLong();

    /**
     * @param serverTransport the service's media port (its per-call ports, when configured, come from it too)
     * @param codec the service's Opus codec, or null when it loads none (the echo line): then the payloads are
     *     opaque bytes
     */
    public LoopbackSelfCall(WebRtcTransport serverTransport, OpusCodec codec) {
        this.answerer = new WebRtcCallMedia(serverTransport, new EchoRoute());
        this.codec = codec;
    }

    /**
     * Places one call and hangs it up. Throws when it does not connect or its frames do not come back within
     * {@code timeout}; either way every port and endpoint it opened is closed.
     */
    @Override
    public Result run(String id, Duration timeout) throws IOException, MediaException, InterruptedException,
            TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicInteger back = new AtomicInteger();
        CompletableFuture<Void> allBack = new CompletableFuture<>();
        OpusDecoder decoder = codec == null ? null : codec.newDecoder();
        short[] heard = new short[SAMPLES];
        MediaListener caller = new MediaListener() {
            @Override
            public void onEvent(EndpointEvent event) {
            }

            @Override
            public void onRtp(byte[] buf, int off, int len) {
                if (decoder != null && len > RtpHeaderWriter.BASIC_HEADER) {
                    decoder.decode(buf, off + RtpHeaderWriter.BASIC_HEADER, len - RtpHeaderWriter.BASIC_HEADER,
                            heard, 0, SAMPLES, false);
                }
                if (back.incrementAndGet() >= FRAMES) {
                    allBack.complete(null);
                }
            }

            @Override
            public void onRtcp(byte[] buf, int off, int len) {
            }
        };
        try (WebRtcTransport edge = openEdgePort();
             OpusEncoder encoder = codec == null ? null : codec.newEncoder(32_000, 5)) {
            long t0 = System.nanoTime();
            WebRtcEndpoint offerer = edge.offer(id, caller);
            String offer = calls.getAndIncrement() % 2 == 0 ? offerer.localDescription()
                    : asIceLiteEdge(offerer.localDescription());
            CallMedia.MediaSession session = answerer.answer(id, offer);
            long answered = System.nanoTime();
            try {
                offerer.applyAnswer(session.answerSdp());
                await(CompletableFuture.allOf(offerer.connected(), session.connected()), deadline);
                long connected = System.nanoTime();
                sendTone(offerer, encoder);
                await(allBack, deadline);
                return new Result((answered - t0) / 1e6, (connected - t0) / 1e6, back.get());
            } catch (SdpParseException | SdpNegotiationException e) {
                throw new IOException("our own answer was refused: " + e.getMessage(), e);
            } finally {
                session.close();
                offerer.close();
            }
        } finally {
            if (decoder != null) {
                decoder.close();
            }
        }
    }

    /**
     * The offer with {@code a=ice-lite} added, so the answer path takes the branch a WhatsApp call takes (the peer is
     * lite: we switch to controlling and run the checks). The offerer is a full agent and stays controlling too; ICE's
     * role-conflict rule (RFC 8445 §7.3.1.1) settles it on the first check, as it would with any full peer.
     */
    static String asIceLiteEdge(String offer) {
        int t = offer.indexOf("\r\nt=");
        int end = t < 0 ? -1 : offer.indexOf("\r\n", t + 2);
        return end < 0 ? offer : offer.substring(0, end + 2) + "a=ice-lite\r\n" + offer.substring(end + 2);
    }

    /** The edge's own loopback port; its ICE ticker runs every 20 ms, as the simulated WhatsApp's does. */
    private static WebRtcTransport openEdgePort() throws IOException {
        WebRtcTransportConfig d = WebRtcTransportConfig.defaults(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return WebRtcTransport.open(new WebRtcTransportConfig(d.bind(), null, null, d.ice(), d.dtls(),
                Duration.ofMillis(20), null));
    }

    private static void sendTone(WebRtcEndpoint offerer, OpusEncoder encoder) {
        SineGenerator tone = new SineGenerator(440, 48_000, 0.3);
        short[] pcm = new short[SAMPLES];
        byte[] packet = new byte[RtpHeaderWriter.BASIC_HEADER + 400];
        int payloadType = offerer.negotiated().opusPayloadType();
        for (int i = 0; i < FRAMES; i++) {
            RtpHeaderWriter.write(packet, 0, i == 0, payloadType, i, (long) i * SAMPLES, offerer.localSsrc());
            int bytes;
            if (encoder != null) {
                tone.fill(pcm, 0, SAMPLES);
                bytes = encoder.encode(pcm, 0, SAMPLES, packet, RtpHeaderWriter.BASIC_HEADER, 400);
            } else {
                bytes = 60; // the echo line relays whatever arrives: any payload will do
            }
            offerer.sendRtp(packet, 0, RtpHeaderWriter.BASIC_HEADER + Math.max(bytes, 1));
        }
    }

    private static void await(CompletableFuture<?> f, long deadlineNanos) throws IOException, InterruptedException,
            TimeoutException {
        try {
            f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IOException("self-call failed: " + e.getCause(), e.getCause());
        }
    }
}
