package dev.wavoice.server.whatsapp;

/** Receives the call events of verified, de-duplicated webhooks, in delivery order. */
public interface CallWebhookListener {
    void onConnect(WebhookPayload.CallEvent event, WebhookPayload.CallsValue value);

    void onTerminate(WebhookPayload.CallEvent event);

    void onStatus(WebhookPayload.CallStatus status);
}
