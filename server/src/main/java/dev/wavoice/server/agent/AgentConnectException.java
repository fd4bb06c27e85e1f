package dev.wavoice.server.agent;

/** The agent endpoint could not be reached or refused the socket; the message names the URL, never the key. */
public class AgentConnectException extends RuntimeException {
    public AgentConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
