package dev.wavoice.server.permission;

/** What last set a permission row's status. */
public enum PermissionSource {
    /** {@code GET /<PHONE_NUMBER_ID>/call_permissions}. */
    GRAPH_CHECK("graph_check"),
    /** The user's {@code call_permission_reply} in a {@code messages} webhook. */
    WEBHOOK_REPLY("webhook_reply"),
    /** Only an inbound message is known: the row records the customer-service window, no permission. */
    INBOUND_MESSAGE("inbound_message");

    private final String wireName;

    PermissionSource(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static PermissionSource fromWire(String name) {
        for (PermissionSource s : values()) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        return INBOUND_MESSAGE;
    }
}
