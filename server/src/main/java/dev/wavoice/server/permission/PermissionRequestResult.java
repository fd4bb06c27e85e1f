package dev.wavoice.server.permission;

/**
 * What {@code requestPermission} did: sent the free-form interactive message (inside the customer-service
 * window) or the template (outside it), with Meta's message id; or sent nothing since the user already granted.
 */
public record PermissionRequestResult(Kind kind, String messageId, PermissionDecision before) {
    public enum Kind {
        INTERACTIVE,
        TEMPLATE,
        ALREADY_GRANTED
    }
}
