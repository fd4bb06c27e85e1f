package dev.wavoice.server.whatsapp;

/**
 * A failed Graph API call, with Meta's error fields when the response carried them
 * ({@code {"error":{"message","type","code","error_subcode","fbtrace_id"}}}). {@code httpStatus} is 0 when no
 * response arrived at all (connect failure, timeout).
 */
public class GraphApiException extends Exception {
    private final String action;
    private final int httpStatus;
    private final Integer code;
    private final Integer subcode;
    private final String type;
    private final String fbtraceId;
    private final int attempts;

    public GraphApiException(String action, int httpStatus, Integer code, Integer subcode, String type,
            String message, String fbtraceId, int attempts, Throwable cause) {
        super(describe(action, httpStatus, code, subcode, message, fbtraceId, attempts), cause);
        this.action = action;
        this.httpStatus = httpStatus;
        this.code = code;
        this.subcode = subcode;
        this.type = type;
        this.fbtraceId = fbtraceId;
        this.attempts = attempts;
    }

    private static String describe(String action, int status, Integer code, Integer subcode, String message,
            String fbtraceId, int attempts) {
        StringBuilder sb = new StringBuilder("Graph ").append(action).append(" failed");
        sb.append(status == 0 ? " (no response)" : " (HTTP " + status + ")");
        if (code != null) {
            sb.append(" code=").append(code);
        }
        if (subcode != null) {
            sb.append(" subcode=").append(subcode);
        }
        if (message != null) {
            sb.append(": ").append(message);
        }
        if (fbtraceId != null) {
            sb.append(" fbtrace_id=").append(fbtraceId);
        }
        sb.append(" after ").append(attempts).append(attempts == 1 ? " attempt" : " attempts");
        return sb.toString();
    }

    public String action() {
        return action;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Integer code() {
        return code;
    }

    public Integer subcode() {
        return subcode;
    }

    public String type() {
        return type;
    }

    public String fbtraceId() {
        return fbtraceId;
    }

    public int attempts() {
        return attempts;
    }
}
