package dev.wavoice.server.call;

import java.util.concurrent.CompletableFuture;

/**
 * The seam between call control and the media transport: it answers a WhatsApp offer with a local SDP at once
 * and reports when ICE and DTLS are up.
 */
public interface CallMedia {

    /**
     * Creates the media session for a call from the caller's offer. Must return quickly (the answer goes out in
     * {@code pre_accept}); connectivity is reported later through {@link MediaSession#connected()}.
     *
     * @throws MediaException with {@link EndReason#REJECTED_BAD_OFFER} when the offer cannot be answered, or
     *     {@link EndReason#REJECTED_MEDIA_UNAVAILABLE} when this build or host cannot carry media
     */
    MediaSession answer(String callId, String offerSdp) throws MediaException;

    /**
     * Creates the media session for a call the business places: {@link OutboundSession#offerSdp()} goes out in Graph
     * {@code connect} at once (nothing is gathered first); the user's answer comes later through
     * {@link OutboundSession#applyAnswer}.
     *
     * @throws MediaException with {@link EndReason#REJECTED_MEDIA_UNAVAILABLE} when no call can be placed now
     */
    default OutboundSession offer(String callId) throws MediaException {
        throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, "this media cannot place calls");
    }

    /** Why a call's media ended by itself. */
    record MediaEnd(EndReason reason, String detail) {}

    /**
     * One call's media figures as the dashboard shows them.
     *
     * @param jitterMs      interarrival jitter of the caller's audio (RFC 3550), milliseconds
     * @param lossFraction  caller packets lost / expected, 0..1
     * @param agent         what the call's audio is connected to ("echo", "local", "openai"), null if nothing
     */
    record MediaStats(long packetsReceived, long packetsSent, long packetsLost, double lossFraction,
                      double jitterMs, String agent) {
        public static final MediaStats NONE = new MediaStats(0, 0, 0, 0, 0, null);
    }

    /** One call's media. */
    interface MediaSession extends AutoCloseable {
        String answerSdp();

        /** Completes when ICE and DTLS are connected; completes exceptionally on failure. */
        CompletableFuture<Void> connected();

        /**
         * Completes when the media side ends the call on its own: {@link EndReason#MEDIA_FAILED} when it failed
         * (consent lost), {@link EndReason#CALLER_HANGUP} when the caller's side closed it (DTLS close_notify), so
         * wavoice does not send a terminate for a call the user already ended; {@link EndReason#AGENT_HANGUP} or
         * {@link EndReason#AGENT_FAILED} from the agent bridge. May complete while the call still rings.
         */
        CompletableFuture<MediaEnd> ended();

        /**
         * Completes when the agent is ready to talk (or the caller is to hear that it is not); fails when the call
         * should be rejected because of it. Call control accepts only after this (bounded).
         */
        default CompletableFuture<Void> ready() {
            return CompletableFuture.completedFuture(null);
        }

        /**
         * The service is stopping: end the call politely (an agent says goodbye, then hangs up with
         * {@link EndReason#SHUTDOWN}). Call control ends whatever is still up a few seconds later.
         *
         * @return true when the call will end by itself shortly (worth waiting for), false when there is nobody to
         *     say goodbye (echo)
         */
        default boolean wrapUp() {
            return false;
        }

        /** The call was accepted through Graph and the caller is listening: the agent may greet now. */
        default void callConnected() {
        }

        /** Live figures for the dashboard; cheap enough to call once a second per call. */
        default MediaStats stats() {
            return MediaStats.NONE;
        }

        @Override
        void close();
    }

    /** The media of a call the business places: an offer now, the user's answer when they pick up. */
    interface OutboundSession extends MediaSession {
        /** Our offer: full ICE (WhatsApp's edge is ICE-lite), {@code a=setup:actpass}, candidates inline. */
        String offerSdp();

        /** The offer is what Graph knows as this call's session. */
        @Override
        default String answerSdp() {
            return offerSdp();
        }

        /**
         * Applies the user's answer (the DTLS role follows its {@code a=setup}) and starts connectivity checks; the
         * call's audio is wired up from here on.
         *
         * @throws MediaException with {@link EndReason#REJECTED_BAD_ANSWER} when the answer cannot be used
         */
        void applyAnswer(String answerSdp) throws MediaException;

        /** Whether an answer has been applied (a second one is not). */
        boolean answered();
    }

    /**
     * Refuses every call with a reason the call log shows (e.g. a load test of the webhook alone),
     * rather than answering with an SDP whose audio would go nowhere.
     */
    record Unavailable(String reason) implements CallMedia {
        @Override
        public MediaSession answer(String callId, String offerSdp) throws MediaException {
            throw new MediaException(EndReason.REJECTED_MEDIA_UNAVAILABLE, reason);
        }
    }
}
