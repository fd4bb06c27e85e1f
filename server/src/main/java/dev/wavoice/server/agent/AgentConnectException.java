package dev.wavoice.server.agent;

/**
 * The agent session could not be opened: the endpoint could not be reached, refused the handshake, or refused the
 * session before it was configured. The message names the URL, never the key; {@link #failure()} says whether
 * trying again could help.
 */
public class AgentConnectException extends RuntimeException {
    private final transient AgentFailure failure;

    public AgentConnectException(String message, AgentFailure failure, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public AgentFailure failure() {
        return failure;
    }
}
