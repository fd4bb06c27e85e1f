package dev.wavoice.server.call;

import dev.wavoice.server.whatsapp.GraphApiException;
import java.time.Instant;

/**
 * Whether the business may call a WhatsApp user now, and the way to ask the user when it may not. WhatsApp lets a
 * business call a user only with the user's call permission (temporary or permanent), within limits per pair.
 */
public interface CallPermissionGate {

    /**
     * @param mayCall    a {@code connect} may be sent now
     * @param status     the permission as Meta names it ({@code permanent}, {@code temporary}, {@code no_permission},
     *                   or ours: {@code rejected}, {@code revoked}, {@code unchecked})
     * @param expiresAt  when a temporary permission ends, else null
     * @param mayRequest a permission request message may be sent now (within its limits)
     * @param reason     why not, in Meta's words and figures, when {@code mayCall} is false
     * @param limited    true when a limit (calls or requests per period) is what stands in the way
     */
    record Verdict(boolean mayCall, String status, Instant expiresAt, boolean mayRequest, String reason,
                   boolean limited) {
    }

    /** Decides for one user ({@code user}: a phone number or a BSUID) of one business number. */
    Verdict check(String phoneNumberId, String user) throws GraphApiException;

    /**
     * What became of a permission request: sent (as {@code how}: an interactive message, a template, or nothing
     * because the user had granted it meanwhile), or refused before Graph was asked.
     *
     * @param limited the refusal is a limit (requests per period), not a missing setting
     */
    record RequestOutcome(boolean sent, String how, String refusal, boolean limited) {
        public static RequestOutcome sent(String how) {
            return new RequestOutcome(true, how, null, false);
        }

        public static RequestOutcome refused(String why, boolean limited) {
            return new RequestOutcome(false, null, why, limited);
        }
    }

    /** Sends the user a call permission request (an interactive message, or a template outside the service window). */
    RequestOutcome request(String phoneNumberId, String user) throws GraphApiException;

}
