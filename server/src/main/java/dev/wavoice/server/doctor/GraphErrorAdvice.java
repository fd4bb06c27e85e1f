package dev.wavoice.server.doctor;

/**
 * What to do about a Graph error, by its code: the same words for {@code wavoice doctor} and {@code wavoice setup},
 * since both meet the same few mistakes (an expired token, one without the WhatsApp permissions, a wrong number id).
 */
public final class GraphErrorAdvice {
    private GraphErrorAdvice() {
    }

    /** The advice for Graph error {@code code} whose message is {@code message}. */
    public static String forError(int code, String message) {
        if (code == 190) {
            return "token expired or invalid: make a new system-user token "
                    + "(Business settings > System users > Generate token) and set WHATSAPP_ACCESS_TOKEN";
        }
        if (code == 10 || (code >= 200 && code <= 299)) {
            return "token lacks whatsapp_business_messaging / whatsapp_business_management: "
                    + "generate it again with both permissions, for the app that owns this number";
        }
        if (code == 100 && message != null && message.contains("does not exist")) {
            return "WHATSAPP_PHONE_NUMBER_ID unknown (or not visible to this token): "
                    + "copy the id from WhatsApp > API setup, not the phone number itself";
        }
        return "Graph refused the request: see its message above";
    }
}
