package dev.wavoice.server.permission;

/**
 * A call permission request wavoice did not send, with a message a user can act on. Graph's own refusals
 * (Meta's error codes such as 138009) come as {@link dev.wavoice.server.whatsapp.GraphApiException} instead.
 */
public final class PermissionRequestException extends Exception {
    /** Why no request was sent. */
    public enum Reason {
        /** Outside the 24 h customer-service window and no template configured. */
        NO_TEMPLATE,
        /** Meta's {@code send_call_permission_request} says no: a limit is used up. */
        REQUEST_LIMIT_REACHED
    }

    private final Reason reason;
    private final transient PermissionDecision decision;

    public PermissionRequestException(Reason reason, String message, PermissionDecision decision, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.decision = decision;
    }

    public Reason reason() {
        return reason;
    }

    /** The permission check the refusal was based on (with Meta's limit figures); null when there was none. */
    public PermissionDecision decision() {
        return decision;
    }
}
