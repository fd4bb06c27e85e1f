package dev.wavoice.server.config;

/** A configuration value a user must fix; the message says which and how. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
