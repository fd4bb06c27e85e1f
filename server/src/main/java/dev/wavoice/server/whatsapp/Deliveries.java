package dev.wavoice.server.whatsapp;

/**
 * Which webhook events were already delivered: Meta redelivers anything it did not see acknowledged, possibly to
 * another instance, and each event must be processed once.
 */
public interface Deliveries {
    /** True the first time a key is offered, false for a repeat. */
    boolean firstTime(String key);

    /** Forgets a key whose event could not be handed over, so Meta's redelivery is processed. */
    void forget(String key);
}
