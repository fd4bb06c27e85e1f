package dev.wavoice.server.call;

/** The media side cannot take a call; {@link #reason()} says which way it failed. */
public class MediaException extends Exception {
    private final EndReason reason;

    public MediaException(EndReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EndReason reason() {
        return reason;
    }
}
