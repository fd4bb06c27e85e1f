package dev.wavoice.server.agent;

import java.util.concurrent.CompletableFuture;

/**
 * The media side of an agent reached over WebRTC: one leg per agent connection, made by the call's bridge (which
 * relays its audio) and driven by the {@link RealtimeSession} (which offers it, applies the answer and replaces it
 * when it fails). Keeps the agent package free of the media stack.
 */
public interface AgentMedia {

    /** A new leg that offers audio; {@code legNumber} counts the call's legs from 1. */
    Leg newLeg(int legNumber);

    /** One WebRTC connection to the agent. */
    interface Leg extends AutoCloseable {

        /** Our SDP offer (audio only, Opus, all candidates inline). */
        String offerSdp();

        /**
         * Applies the agent's answer and starts ICE.
         *
         * @throws IllegalArgumentException when the answer is not valid SDP or cannot be used (no Opus, …); the
         *     message says why
         */
        void applyAnswer(String answerSdp, String agentCallId);

        /** Completes when ICE and DTLS are up; fails when the leg fails first. */
        CompletableFuture<Void> connected();

        /** Completes with the reason when the leg fails or the agent ends it after it connected. */
        CompletableFuture<String> lost();

        /** Ends the leg (DTLS close_notify); idempotent. */
        @Override
        void close();
    }
}
