package dev.wavoice.server.call;

/** Where a call is in its life. Transitions only move forward; {@link #ENDED} is final. */
public enum CallState {
    RINGING,
    PRE_ACCEPTED,
    CONNECTED,
    ENDED;

    public boolean canMoveTo(CallState next) {
        return next.ordinal() > ordinal();
    }
}
