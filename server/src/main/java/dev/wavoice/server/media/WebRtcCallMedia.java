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
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * Call media on the pure-Java WebRTC transport. What happens to the audio is the {@link AudioRoute}'s business;
 * this class only answers offers and turns endpoint events into what call control waits for.
 */
public final class WebRtcCallMedia implements CallMedia {

    /** Where a call's audio goes: one {@link CallAudio} per answered call. */
    @FunctionalInterface
    public interface AudioRoute {
        CallAudio attach(CallContext call);
    }

    /**
     * What an audio route gets for one call: the endpoint (offer/answer settled, not yet connected) and a way to
     * end the call itself (an agent hanging up, an agent that cannot be reached).
     */
    public interface CallContext {
        String callId();

        WebRtcEndpoint endpoint();

        /** Ends the call with this reason; call control tells Graph when the reason is ours. */
        void end(EndReason reason, String detail);
    }

    private final WebRtcTransport transport;
    private final AudioRoute route;

    public WebRtcCallMedia(WebRtcTransport transport, AudioRoute route) {
        this.transport = transport;
        this.route = route;
    }

    @Override
    public MediaSession answer(String callId, String offerSdp) throws MediaException {
        Session session = new Session(callId);
        try {
            session.endpoint = transport.answer(callId, offerSdp, session);
        } catch (SdpParseException | SdpNegotiationException e) {
            throw new MediaException(EndReason.REJECTED_BAD_OFFER, "cannot answer the offer: " + e.getMessage());
        } catch (UncheckedIOException e) { // every per-call media port taken
            throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "no media port for the call: "
                    + e.getCause().getMessage());
        }
        try {
            session.audio = route.attach(session);
        } catch (RuntimeException e) {
            session.endpoint.close();
            throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "cannot set up the call's audio: " + e);
        }
        return session;
    }

    @Override
    public OutboundSession offer(String callId) throws MediaException {
        Outbound session = new Outbound(callId);
        try {
            session.endpoint = transport.offer(callId, session);
        } catch (UncheckedIOException e) { // every per-call media port taken
            throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "no media port for the call: "
                    + e.getCause().getMessage());
        }
        return session;
    }

    /** A call the business places: the audio route is attached once the answer says how the audio flows. */
    private final class Outbound extends Session implements OutboundSession {
        Outbound(String callId) {
            super(callId);
        }

        @Override
        public String offerSdp() {
            return endpoint.localDescription();
        }

        @Override
        public boolean answered() {
            return endpoint.negotiated() != null;
        }

        @Override
        public void applyAnswer(String answerSdp) throws MediaException {
            try {
                endpoint.applyAnswer(answerSdp);
            } catch (SdpParseException | SdpNegotiationException e) {
                throw new MediaException(EndReason.REJECTED_BAD_ANSWER, "cannot use the answer: " + e.getMessage());
            } catch (IllegalStateException e) {
                throw new MediaException(EndReason.REJECTED_BAD_ANSWER, "an answer was applied already");
            }
            try {
                audio = route.attach(this);
            } catch (RuntimeException e) {
                throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "cannot set up the call's audio: " + e);
            }
        }
    }

    /** One call: the endpoint, plus the futures call control waits on. */
    private static class Session implements MediaSession, MediaListener, CallContext {
        private final String callId;
        volatile WebRtcEndpoint endpoint;
        volatile CallAudio audio;
        private final CompletableFuture<MediaEnd> ended = new CompletableFuture<>();

        Session(String callId) {
            this.callId = callId;
        }

        @Override
        public String callId() {
            return callId;
        }

        @Override
        public WebRtcEndpoint endpoint() {
            return endpoint;
        }

        @Override
        public void end(EndReason reason, String detail) {
            ended.complete(new MediaEnd(reason, detail));
        }

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
        public CompletableFuture<Void> ready() {
            CallAudio a = audio;
            return a == null ? CompletableFuture.completedFuture(null) : a.ready();
        }

        @Override
        public void callConnected() {
            CallAudio a = audio;
            if (a != null) {
                a.callConnected();
            }
        }

        @Override
        public boolean wrapUp() {
            CallAudio a = audio;
            return a != null && a.wrapUp();
        }

        @Override
        public MediaStats stats() {
            CallAudio a = audio;
            return a == null ? MediaStats.NONE : a.stats();
        }

        @Override
        public void close() {
            try {
                CallAudio a = audio;
                if (a != null) {
                    a.close();
                }
            } finally {
                endpoint.close();
            }
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
    }
}
