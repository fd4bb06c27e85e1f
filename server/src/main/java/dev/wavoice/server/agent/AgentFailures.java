package dev.wavoice.server.agent;

import dev.wavoice.server.agent.AgentFailure.Kind;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where agent failures are classified: from an {@code error} event, a WebSocket close (code and
 * reason), the HTTP status of a refused handshake, or a connect exception. The README's "When the agent fails" table
 * lists the same codes. Anything not listed is transient but {@linkplain AgentFailure#known() unknown}, so a session
 * retries it only a few times in a row.
 */
public final class AgentFailures {
    /** Outside text kept on a call row or a log line, at most. */
    private static final int MAX_DETAIL = 300;

    private record Known(Kind kind, String hint) {
    }

    private static final String KEY_HINT = "OPENAI_API_KEY was refused: set a valid key";
    private static final String MODEL_HINT = "OPENAI_REALTIME_MODEL names a model that does not exist or that this "
            + "key may not use";

    /** Error codes of the Realtime API's {@code error} event (and of its HTTP errors, which share them). */
    private static final Map<String, Known> ERROR_CODES = Map.ofEntries(
            Map.entry("invalid_api_key", new Known(Kind.PERMANENT, KEY_HINT)),
            Map.entry("insufficient_quota", new Known(Kind.PERMANENT,
                    "the OpenAI account behind OPENAI_API_KEY has no quota left: check its plan and billing")),
            Map.entry("billing_not_active", new Known(Kind.PERMANENT,
                    "billing is not active on the OpenAI account behind OPENAI_API_KEY")),
            Map.entry("account_deactivated", new Known(Kind.PERMANENT,
                    "the OpenAI account behind OPENAI_API_KEY is deactivated")),
            Map.entry("model_not_found", new Known(Kind.PERMANENT, MODEL_HINT)),
            Map.entry("unsupported_country_region_territory", new Known(Kind.PERMANENT,
                    "OpenAI does not serve the region this service runs in")),
            Map.entry("session_config_rejected", new Known(Kind.PERMANENT,
                    "the agent rejected the session configuration (instructions, voice, tools or audio formats in "
                            + "WAVOICE_AGENT_CONFIG)")),
            Map.entry("server_error", new Known(Kind.TRANSIENT, "")),
            Map.entry("rate_limit_exceeded", new Known(Kind.TRANSIENT, "")),
            Map.entry("session_expired", new Known(Kind.TRANSIENT, "")));

    /** Error types that mean the credentials themselves are wrong, whatever the code. */
    private static final Map<String, Known> ERROR_TYPES = Map.of(
            "authentication_error", new Known(Kind.PERMANENT, KEY_HINT),
            "permission_error", new Known(Kind.PERMANENT, "OPENAI_API_KEY may not use the Realtime API or this model"));

    /** WebSocket close codes (RFC 6455 §7.4 and the IANA registry's 3000 range). */
    private static final Map<Integer, Known> CLOSE_CODES = Map.ofEntries(
            Map.entry(3000, new Known(Kind.PERMANENT, "the agent refused the credentials (close 3000, unauthorized): "
                    + "check OPENAI_API_KEY")),
            Map.entry(3003, new Known(Kind.PERMANENT, "the agent refused this key (close 3003, forbidden)")),
            Map.entry(1008, new Known(Kind.PERMANENT, "the agent closed for a policy violation (1008)")),
            Map.entry(1000, new Known(Kind.TRANSIENT, "")),
            Map.entry(1001, new Known(Kind.TRANSIENT, "")),
            Map.entry(1006, new Known(Kind.TRANSIENT, "")),
            Map.entry(1011, new Known(Kind.TRANSIENT, "")),
            Map.entry(1012, new Known(Kind.TRANSIENT, "")),
            Map.entry(1013, new Known(Kind.TRANSIENT, "")),
            Map.entry(1014, new Known(Kind.TRANSIENT, "")),
            Map.entry(3008, new Known(Kind.TRANSIENT, "")));

    private AgentFailures() {
    }

    /**
     * An {@code error} event. {@code aboutSessionConfig} is true when its {@code event_id} names our
     * {@code session.update}: the server rejected the configuration, which no retry will change.
     */
    public static AgentFailure fromError(String type, String code, String message, boolean aboutSessionConfig) {
        String said = clip((type == null ? "error" : type) + (code == null ? "" : "/" + code)
                + (message == null || message.isBlank() ? "" : ": " + message));
        Known known = code == null ? null : ERROR_CODES.get(code);
        if (known != null) {
            return new AgentFailure(known.kind(), code, true, said, known.hint());
        }
        Known byType = type == null ? null : ERROR_TYPES.get(type);
        if (byType != null) {
            return new AgentFailure(byType.kind(), type, true, said, byType.hint());
        }
        if (aboutSessionConfig) {
            Known config = ERROR_CODES.get("session_config_rejected");
            return new AgentFailure(Kind.PERMANENT, "session_config_rejected", true, said, config.hint());
        }
        return new AgentFailure(Kind.TRANSIENT, "other", false, said, "");
    }

    /**
     * A socket the agent closed. The reason may carry the error ({@code invalid_request_error.invalid_api_key}, as
     * OpenAI sends it); {@code lastError}, the socket's last error event, explains a close better than its code.
     */
    public static AgentFailure fromClose(int status, String reason, AgentFailure lastError) {
        AgentFailure byClose = closeAlone(status, reason);
        if (lastError != null && (lastError.permanent() || !byClose.permanent() && lastError.known())) {
            return lastError;
        }
        return byClose.known() || lastError == null ? byClose : lastError;
    }

    private static AgentFailure closeAlone(int status, String reason) {
        String said = clip("agent closed the socket (" + status + (reason == null || reason.isBlank() ? "" : " " + reason)
                + ")");
        if (reason != null && !reason.isBlank()) {
            String r = reason.trim();
            String code = r.substring(r.lastIndexOf('.') + 1);
            Known inReason = ERROR_CODES.get(code);
            if (inReason != null) {
                return new AgentFailure(inReason.kind(), code, true, said, inReason.hint());
            }
        }
        Known known = CLOSE_CODES.get(status);
        if (known != null) {
            return new AgentFailure(known.kind(), "close_" + status, true, said, known.hint());
        }
        return new AgentFailure(Kind.TRANSIENT, "close_other", false, said, "");
    }

    /** The HTTP status of a refused WebSocket handshake. */
    public static AgentFailure fromHttpStatus(int status) {
        String said = "handshake answered HTTP " + status;
        return switch (status) {
            case 401 -> new AgentFailure(Kind.PERMANENT, "http_401", true, said, KEY_HINT);
            case 403 -> new AgentFailure(Kind.PERMANENT, "http_403", true, said,
                    "OPENAI_API_KEY may not use the Realtime API or this model");
            case 404 -> new AgentFailure(Kind.PERMANENT, "http_404", true, said,
                    "OPENAI_REALTIME_URL or OPENAI_REALTIME_MODEL is wrong: the agent endpoint answered 404");
            case 408, 425, 429 -> new AgentFailure(Kind.TRANSIENT, "http_" + status, true, said, "");
            default -> {
                if (status >= 500 && status <= 599) {
                    yield new AgentFailure(Kind.TRANSIENT, "http_5xx", true, said, "");
                }
                if (status >= 400 && status <= 499) {
                    yield new AgentFailure(Kind.PERMANENT, "http_4xx", true, said,
                            "the agent endpoint refused the request: check OPENAI_REALTIME_URL and OPENAI_REALTIME_MODEL");
                }
                yield new AgentFailure(Kind.TRANSIENT, "http_other", false, said, "");
            }
        };
    }

    /** A socket that could not be opened: the handshake's HTTP status when there was one, else the network. */
    public static AgentFailure fromConnectError(Throwable error) {
        Throwable root = rootCause(error);
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AgentConnectException c && c.failure() != null) {
                return c.failure();
            }
            if (t instanceof WebSocketHandshakeException h && h.getResponse() != null) {
                return fromHttpStatus(h.getResponse().statusCode());
            }
        }
        String said = clip("agent socket failed: " + describe(root));
        if (root instanceof HttpTimeoutException || root instanceof TimeoutException) {
            return new AgentFailure(Kind.TRANSIENT, "timeout", true, said, "");
        }
        if (root instanceof IOException) {
            return new AgentFailure(Kind.TRANSIENT, "unreachable", true, said, "");
        }
        return new AgentFailure(Kind.TRANSIENT, "other", false, said, "");
    }

    /**
     * An open socket that broke (a network error, not a close frame). When the agent had said in an {@code error}
     * event that it refuses us for good, that is the account to keep: a server that closes for such a reason while our
     * next frame is on its way gets that frame refused, the write breaks the connection, and the JDK's client stops
     * reading at once, so the close frame with its code, still unread, is never seen.
     */
    public static AgentFailure fromSocketError(Throwable error, AgentFailure lastError) {
        AgentFailure byNetwork = fromConnectError(error);
        return lastError != null && lastError.permanent() ? lastError : byNetwork;
    }

    /**
     * An open socket on which nothing (no event, no pong to our pings) arrived for {@code silentMs}: the agent hung.
     * Transient, so the session replaces the socket; a service that hangs on every socket runs out the reconnect
     * budget and the caller hears the apology.
     */
    public static AgentFailure stalled(long silentMs) {
        return new AgentFailure(Kind.TRANSIENT, "agent_stalled", true,
                "agent socket silent for " + silentMs + " ms: no event and no pong", "");
    }

    /** The innermost cause, past the wrappers futures add. */
    public static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** The cause a future failed with, past {@link CompletionException} and {@link ExecutionException} only. */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** "ConnectException: Connection refused", or the message alone when the type adds nothing. */
    public static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + " " + message;
    }

    static String clip(String s) {
        String flat = s.replaceAll("[\\x00-\\x1f]", " ");
        return flat.length() <= MAX_DETAIL ? flat : flat.substring(0, MAX_DETAIL) + "…";
    }
}
