package dev.wavoice.server.permission;

import java.time.Instant;

/**
 * Whether wavoice may dial a user now, and if not, why and what it may do instead.
 *
 * @param mayDial              a grant in force, and Meta lets {@code start_call} now
 * @param status               the status as of the decision (an expired temporary grant reads no_permission)
 * @param expiresAt            when a temporary grant ends; null for permanent or none
 * @param callLimit            the {@code start_call} limit that binds (Meta's figures), or null when Meta gave none
 * @param reason               why not, in Meta's words ({@code permission.status=no_permission},
 *                             {@code start_call: can_perform_action=false (limit …)}); null when {@code mayDial}
 * @param mayRequestPermission a permission request may be sent now ({@code send_call_permission_request})
 * @param requestLimit         the {@code send_call_permission_request} limit that binds, or null
 * @param fromCache            decided from the stored row, without asking Graph
 */
public record PermissionDecision(
        boolean mayDial,
        PermissionStatus status,
        Instant expiresAt,
        ActionLimit callLimit,
        String reason,
        boolean mayRequestPermission,
        ActionLimit requestLimit,
        boolean fromCache) {

    /** The decision a stored (or just stored) row gives at {@code now}. */
    static PermissionDecision of(CallPermission row, Instant now, boolean fromCache) {
        PermissionStatus status = row.statusAt(now);
        PermissionAction startCall = row.action(PermissionAction.START_CALL);
        PermissionAction sendRequest = row.action(PermissionAction.SEND_CALL_PERMISSION_REQUEST);
        String reason;
        if (!status.isGrant()) {
            reason = switch (status) {
                case REJECTED -> "permission.status=no_permission (the user rejected the call permission request)";
                case REVOKED -> "permission.status=no_permission (the user revoked an earlier grant)";
                default -> "permission.status=no_permission"
                        + (row.expired(now) ? " (temporary permission expired at " + row.expiresAt() + ")" : "");
            };
        } else {
            reason = startCall == null ? null : startCall.refusal();
        }
        // A user who has granted needs no request; otherwise Meta's action decides, and without one (a row from a
        // webhook alone) the request is Meta's to refuse.
        boolean mayRequest = !status.isGrant() && (sendRequest == null || sendRequest.canPerform());
        return new PermissionDecision(reason == null, status, status == PermissionStatus.TEMPORARY ? row.expiresAt() : null,
                startCall == null ? null : startCall.bindingLimit(), reason, mayRequest,
                sendRequest == null ? null : sendRequest.bindingLimit(), fromCache);
    }
}
