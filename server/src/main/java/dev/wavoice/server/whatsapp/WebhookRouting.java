package dev.wavoice.server.whatsapp;

import java.util.List;

/**
 * Where a call's webhook events are handled when several instances share the work: here, or on the instance that
 * carries the call's media (a new call may also be handed to a peer with room). One instance alone handles
 * everything here ({@link #LOCAL}).
 */
public interface WebhookRouting {

    /** Where one call's events go. */
    sealed interface Route {
    }

    /** Handled by this instance. */
    record Here() implements Route {
    }

    /**
     * Handed to a peer: the first of {@code peers} that takes it ({@code all} false), or every one of them
     * ({@code all} true: the owner is unknown, so each peer ignores what is not its call).
     */
    record ToPeers(List<String> peers, boolean all) implements Route {
    }

    Route HERE = new Here();

    /** Decides for one event; {@code connect} marks a new call, which any instance with room may take. */
    Route route(String callId, boolean connect);

    /**
     * Hands {@code body} (a webhook holding only this call's events) to the route's peers, waiting until one has it.
     *
     * @return false when no peer took it
     */
    boolean forward(ToPeers route, String callId, byte[] body);

    /** A single instance: everything is handled here. */
    WebhookRouting LOCAL = new WebhookRouting() {
        @Override
        public Route route(String callId, boolean connect) {
            return HERE;
        }

        @Override
        public boolean forward(ToPeers route, String callId, byte[] body) {
            return false;
        }
    };
}
