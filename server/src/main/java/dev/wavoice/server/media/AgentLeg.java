package dev.wavoice.server.media;

import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.server.agent.AgentMedia;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;

/**
 * One WebRTC connection to the agent: an endpoint that offers (full ICE, controlling; DTLS server once the agent
 * answers {@code setup:active}, as OpenAI does) on the media transport, from a UDP port of its own (a server that
 * tells peers apart by address would see every call's leg as one peer on the shared port), and once the answer is in, its
 * {@link RelayLeg} and the relay that stamps the caller's packets into this leg's stream. Its packets go to a
 * {@link Receiver}; the session replaces a leg that fails.
 */
final class AgentLeg implements AgentMedia.Leg, MediaListener {

    /** Where a leg's decrypted packets go (its receive thread), and who learns first that it connected. */
    interface Receiver {
        void onRtp(AgentLeg leg, byte[] buf, int off, int len);

        /** Runs before {@link #connected()} completes, so whoever waits on it finds the leg known. */
        default void onConnected(AgentLeg leg) {
        }
    }

    final int number;
    private final Receiver receiver;
    private final SecureRandom random;
    private final WebRtcEndpoint endpoint;
    private final CompletableFuture<Void> connected;
    private final CompletableFuture<String> lost = new CompletableFuture<>();
    private final long createdNanos = System.nanoTime();
    private volatile RelayLeg rtp;
    private volatile RtpRelay toAgent;
    private volatile String agentCallId;

    AgentLeg(WebRtcTransport transport, String endpointId, int number, Receiver receiver, SecureRandom random) {
        this.number = number;
        this.receiver = receiver;
        this.random = random;
        this.endpoint = transport.offerOnOwnPort(endpointId, this);
        this.connected = endpoint.connected().thenRun(() -> receiver.onConnected(this));
    }

    @Override
    public String offerSdp() {
        return endpoint.localDescription();
    }

    @Override
    public void applyAnswer(String answerSdp, String agentCallId) {
        try {
            endpoint.applyAnswer(answerSdp);
        } catch (SdpParseException | SdpNegotiationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("the leg cannot take an answer: " + e.getMessage(), e);
        }
        this.agentCallId = agentCallId;
        RelayLeg leg = RelayLeg.of(endpoint, null, random);
        this.toAgent = new RtpRelay(leg.out, leg.opusPayloadType, random);
        this.rtp = leg;
    }

    @Override
    public CompletableFuture<Void> connected() {
        return connected;
    }

    @Override
    public CompletableFuture<String> lost() {
        return lost;
    }

    WebRtcEndpoint endpoint() {
        return endpoint;
    }

    /** This leg's RTP state; null before the answer. */
    RelayLeg rtp() {
        return rtp;
    }

    /** Stamps the caller's packets into this leg's stream; null before the answer. */
    RtpRelay toAgent() {
        return toAgent;
    }

    String agentCallId() {
        return agentCallId;
    }

    long ageMillis() {
        return (System.nanoTime() - createdNanos) / 1_000_000;
    }

    @Override
    public void onEvent(EndpointEvent event) {
        switch (event) {
            case EndpointEvent.Failed f -> lost.complete(f.reason());
            case EndpointEvent.Closed c -> lost.complete(c.reason());
            case EndpointEvent.Connected c -> { }
        }
    }

    @Override
    public void onRtp(byte[] buf, int off, int len) {
        receiver.onRtp(this, buf, off, len);
    }

    @Override
    public void onRtcp(byte[] buf, int off, int len) {
        RelayLeg leg = rtp;
        if (leg != null) {
            leg.onRtcp(buf, off, len);
        }
    }

    @Override
    public void close() {
        RelayLeg leg = rtp;
        if (leg != null && connected.isDone() && !connected.isCompletedExceptionally()) {
            leg.sendBye("leg closed");
        }
        endpoint.close();
    }
}
