package dev.wavoice.server.agent;

/**
 * What call control knows of a call that its agent may be told (a Media Streams bot gets it in
 * {@code start.customParameters}), and which WhatsApp number it came to, which picks its agent.
 *
 * @param direction      {@code inbound} (the user called) or {@code outbound} (the business placed it)
 * @param caller         the user's phone number, or their business-scoped id when WhatsApp hides the number
 * @param businessNumber the business's display number, when WhatsApp named it
 * @param phoneNumberId  the WhatsApp phone number id the call is on
 * @param waCallId       WhatsApp's id of the call (for a placed call, once Graph has named it)
 */
public record CallFacts(String direction, String caller, String businessNumber, String phoneNumberId,
                        String waCallId) {

    public CallFacts withWaCallId(String id) {
        return new CallFacts(direction, caller, businessNumber, phoneNumberId, id);
    }
}
