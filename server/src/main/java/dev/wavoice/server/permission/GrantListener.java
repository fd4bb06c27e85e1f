package dev.wavoice.server.permission;

/**
 * Told of each permission reply once it is stored, on the webhook's worker thread (keep it short, or hand off):
 * the dialler dials a call that waits for the grant ({@code dial_on_grant}), and gives up on a rejection.
 */
@FunctionalInterface
public interface GrantListener {
    void onGrant(PermissionReply.Granted grant);

    default void onReject(PermissionReply.Rejected rejection) {
    }
}
