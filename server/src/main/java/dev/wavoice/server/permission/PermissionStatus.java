package dev.wavoice.server.permission;

import java.util.Locale;

/**
 * Where a user stands on calls from a business phone number. The first three are Meta's own
 * ({@code permission.status} of the permission check); {@link #REJECTED} and {@link #REVOKED} are what wavoice
 * knows beyond that: the user declined a request (the reply webhook), or a grant Meta confirmed earlier is gone
 * before its expiry (Meta then answers {@code no_permission}; it sends no webhook for a revocation).
 */
public enum PermissionStatus {
    NO_PERMISSION("no_permission"),
    TEMPORARY("temporary"),
    PERMANENT("permanent"),
    REJECTED("rejected"),
    REVOKED("revoked");

    private final String wireName;

    PermissionStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** A grant: the user allowed calls (a temporary one may have expired since; see {@link CallPermission}). */
    public boolean isGrant() {
        return this == TEMPORARY || this == PERMANENT;
    }

    /** The status of this wire name, or null for one wavoice does not know. */
    public static PermissionStatus fromWire(String name) {
        if (name == null) {
            return null;
        }
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (PermissionStatus s : values()) {
            if (s.wireName.equals(wanted)) {
                return s;
            }
        }
        return null;
    }
}
