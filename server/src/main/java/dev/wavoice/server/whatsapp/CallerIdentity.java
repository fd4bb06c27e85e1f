package dev.wavoice.server.whatsapp;

/**
 * Who is calling. WhatsApp users who adopted a username may arrive with an empty phone number and only a
 * business-scoped user id (BSUID); the phone wins when present because it is what the business knows.
 */
public record CallerIdentity(String phone, String bsuid, String profileName) {

    public CallerIdentity {
        phone = blankToNull(phone);
        bsuid = blankToNull(bsuid);
        profileName = blankToNull(profileName);
    }

    /** The handle to use in Graph actions and logs: the phone when known, else the BSUID. */
    public String handle() {
        return phone != null ? phone : bsuid;
    }

    public boolean isKnown() {
        return handle() != null;
    }

    /**
     * Picks the caller of a user-initiated call: {@code from}/{@code from_user_id} on the call, completed by
     * the matching {@code contacts[]} entry (matched on phone or BSUID).
     */
    public static CallerIdentity ofCaller(WebhookPayload.CallEvent call, WebhookPayload.CallsValue value) {
        String phone = call.from();
        String bsuid = call.fromUserId();
        String name = null;
        for (WebhookPayload.Contact c : value.contactList()) {
            boolean samePhone = notBlank(phone) && phone.equals(c.waId());
            boolean sameUser = notBlank(bsuid) && bsuid.equals(c.userId());
            boolean onlyContact = value.contactList().size() == 1;
            if (samePhone || sameUser || onlyContact) {
                if (!notBlank(phone)) {
                    phone = c.waId();
                }
                if (!notBlank(bsuid)) {
                    bsuid = c.userId();
                }
                if (c.profile() != null) {
                    name = c.profile().name() != null ? c.profile().name() : c.profile().username();
                }
                break;
            }
        }
        return new CallerIdentity(phone, bsuid, name);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
