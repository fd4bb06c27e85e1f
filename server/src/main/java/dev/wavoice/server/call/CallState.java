package dev.wavoice.server.call;

/**
 * Where a call is in its life. Transitions only move forward; {@link #ENDED} is final. A call the user placed starts
 * {@link #RINGING}; one the business places starts {@link #AWAITING_PERMISSION} (dialled when the user grants it) or
 * {@link #DIALLING} (Graph {@code connect} sent), then rings on the user's phone, then connects.
 */
public enum CallState {
    AWAITING_PERMISSION,
    DIALLING,
    RINGING,
    PRE_ACCEPTED,
    CONNECTED,
    ENDED;

    public boolean canMoveTo(CallState next) {
        return next.ordinal() > ordinal();
    }
}
