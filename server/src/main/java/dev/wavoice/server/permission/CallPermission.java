package dev.wavoice.server.permission;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One stored row: a user's call permission for one business phone number. {@code user} is a phone number or a
 * BSUID; {@code actions} are from the last permission check ({@code checkedAt}), empty when a webhook reply came
 * since; {@code lastInboundAt} is the user's last message to the business.
 */
public record CallPermission(
        String phoneNumberId,
        String user,
        PermissionStatus status,
        Instant expiresAt,
        List<PermissionAction> actions,
        PermissionSource source,
        Instant updatedAt,
        Instant checkedAt,
        Instant lastInboundAt) {

    /** WhatsApp's customer-service window: free-form messages only within 24 h of the user's last message. */
    public static final Duration SERVICE_WINDOW = Duration.ofHours(24);

    public CallPermission {
        actions = actions == null ? List.of() : List.copyOf(actions);
    }

    /** The status as of {@code now}: an expired temporary permission is no permission. */
    public PermissionStatus statusAt(Instant now) {
        return expired(now) ? PermissionStatus.NO_PERMISSION : status;
    }

    public boolean expired(Instant now) {
        return status == PermissionStatus.TEMPORARY && expiresAt != null && !expiresAt.isAfter(now);
    }

    /** A grant still in force at {@code now}. */
    public boolean grantValidAt(Instant now) {
        return statusAt(now).isGrant();
    }

    public boolean inServiceWindow(Instant now) {
        return lastInboundAt != null && lastInboundAt.isAfter(now.minus(SERVICE_WINDOW));
    }

    public PermissionAction action(String name) {
        return actions.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }
}
