package dev.wavoice.server.media;

import dev.wavoice.media.sdp.SdpNegotiationException;
import dev.wavoice.media.sdp.SdpParseException;
import dev.wavoice.media.webrtc.EndpointEvent;
import dev.wavoice.media.webrtc.MediaListener;
import dev.wavoice.media.webrtc.WebRtcEndpoint;
import dev.wavoice.media.webrtc.WebRtcTransport;
import dev.wavoice.server.call.CallMedia;
import dev.wavoice.server.call.EndReason;
import dev.wavoice.server.call.MediaException;
import java.util.concurrent.CompletableFuture;

/**
 * Call media on the pure-Java WebRTC transport. What happens to the audio is the {@link AudioRoute}'s business;
 * this class only answers offers and turns endpoint events into what call control waits for.
 */
public final class WebRtcCallMedia implements CallMedia {

    /** Where a call's inbound RTP goes, given the endpoint to send on. */
    @FunctionalInterface
    public interface AudioRoute {
        MediaListener attach(EndpointHandle endpoint);
    }

    /** What an audio route may do with the endpoint: send RTP under the endpoint's own SSRC. */
    public interface EndpointHandle {
        long localSsrc();

        boolean sendRtp(byte[] packet, int off, int len);
    }

    private final WebRtcTransport transport;
    private final AudioRoute route;

    public WebRtcCallMedia(WebRtcTransport transport, AudioRoute route) {
        this.transport = transport;
        this.route = route;
    }

    @Override
    public MediaSession answer(String callId, String offerSdp) throws MediaException {
        Session session = new Session();
        try {
            session.endpoint = transport.answer(callId, offerSdp, session);
        } catch (SdpParseException | SdpNegotiationException e) {
            throw new MediaException(EndReason.REJECTED_BAD_OFFER, "cannot answer the offer: " + e.getMessage());
        }
        session.audio = route.attach(session);
        return session;
    }

    /** One call: the endpoint, plus the futures call control waits on. */
    private static final class Session implements MediaSession, MediaListener, EndpointHandle {
        volatile WebRtcEndpoint endpoint;
        volatile MediaListener audio;
        private final CompletableFuture<MediaEnd> ended = new CompletableFuture<>();

        @Override
        public String answerSdp() {
            return endpoint.localDescription();
        }

        @Override
        public CompletableFuture<Void> connected() {
            return endpoint.connected();
        }

        @Override
        public CompletableFuture<MediaEnd> ended() {
            return ended;
        }

        @Override
        public void close() {
            endpoint.close();
        }

        @Override
        public void onEvent(EndpointEvent event) {
            switch (event) {
                case EndpointEvent.Failed f -> ended.complete(new MediaEnd(EndReason.MEDIA_FAILED, f.reason()));
                // A close we did not ask for is the caller's side ending the call (its DTLS close_notify).
                case EndpointEvent.Closed c -> ended.complete(new MediaEnd(EndReason.CALLER_HANGUP, c.reason()));
                case EndpointEvent.Connected c -> { }
            }
            MediaListener a = audio;
            if (a != null) {
                a.onEvent(event);
            }
        }

        @Override
        public void onRtp(byte[] buf, int off, int len) {
            MediaListener a = audio;
            if (a != null) {
                a.onRtp(buf, off, len);
            }
        }

        @Override
        public void onRtcp(byte[] buf, int off, int len) {
            MediaListener a = audio;
            if (a != null) {
                a.onRtcp(buf, off, len);
            }
        }

        @Override
        public long localSsrc() {
            return endpoint.localSsrc();
        }

        @Override
        public boolean sendRtp(byte[] packet, int off, int len) {
            return endpoint.sendRtp(packet, off, len);
        }
    }
}
