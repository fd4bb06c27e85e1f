package dev.wavoice.server.whatsapp;

/** A correctly signed webhook whose body is not the JSON Meta documents. */
public class MalformedWebhookException extends Exception {
    public MalformedWebhookException(String message) {
        super(message);
    }
}
