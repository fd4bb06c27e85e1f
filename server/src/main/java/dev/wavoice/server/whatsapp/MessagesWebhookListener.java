package dev.wavoice.server.whatsapp;

/**
 * Receives the user messages of {@code messages} webhooks, each once (de-duplicated like call events).
 * Called on a worker thread; an exception is logged and counted, never answered to Meta.
 */
@FunctionalInterface
public interface MessagesWebhookListener {
    MessagesWebhookListener NONE = (phoneNumberId, value, message) -> { };

    /** @param phoneNumberId the business phone number the message was sent to ({@code metadata.phone_number_id}) */
    void onMessage(String phoneNumberId, WebhookPayload.MessagesValue value, WebhookPayload.InboundMessage message);
}
