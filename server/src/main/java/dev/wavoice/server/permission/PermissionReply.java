package dev.wavoice.server.permission;

import java.time.Instant;

/** A user's answer to a call permission request, as the reply webhook brought it and the store now holds it. */
public sealed interface PermissionReply {
    String phoneNumberId();

    /** The phone number when the webhook carried one, else the BSUID: the row that was updated. */
    String user();

    /** The request message this answers ({@code context.id}), when Meta said. */
    String requestMessageId();

    /**
     * Calls are allowed: {@code status} temporary (until {@code expiresAt}) or permanent. {@code responseSource}
     * is Meta's {@code user_action}, or {@code automatic} when the user's own call granted it.
     */
    record Granted(String phoneNumberId, String user, String requestMessageId, PermissionStatus status,
            Instant expiresAt, String responseSource) implements PermissionReply {}

    record Rejected(String phoneNumberId, String user, String requestMessageId, String responseSource)
            implements PermissionReply {}
}
