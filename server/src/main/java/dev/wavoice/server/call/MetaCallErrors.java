package dev.wavoice.server.call;

import dev.wavoice.server.whatsapp.GraphApiException;
import java.util.Set;

/**
 * Meta's calling error codes that change what a business is told when a call cannot be placed (Meta's "Troubleshoot
 * WhatsApp Calling Errors" reference): a missing permission is the user's decision (403), a limit is a matter of time
 * (429); anything else Graph refused is the request's fault (422), and no answer at all is Graph's (502).
 */
final class MetaCallErrors {
    /** No approved call permission from the user. */
    static final int NO_PERMISSION = 138006;
    /**
     * Limits: connected calls per 24 h for the pair (138012), permission requests (138009), permission checks too
     * frequent (613).
     */
    static final Set<Integer> LIMITS = Set.of(138012, 138009, 613);

    private MetaCallErrors() {
    }

    static boolean isPermission(GraphApiException e) {
        return e.code() != null && (e.code() == NO_PERMISSION || LIMITS.contains(e.code()));
    }

    /** The status {@code POST /api/calls} answers with when Graph refused or failed the call. */
    static int apiStatus(GraphApiException e) {
        if (e.code() != null && e.code() == NO_PERMISSION) {
            return 403;
        }
        if (e.httpStatus() == 429 || (e.code() != null && LIMITS.contains(e.code()))) {
            return 429;
        }
        if (e.httpStatus() >= 400 && e.httpStatus() < 500) {
            return 422;
        }
        return 502;
    }
}
