package dev.wavoice.server.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The call webhooks the simulated Meta sends, in WhatsApp's shape (the same fields as the captured
 * {@code connect.json} and {@code terminate-completed.json} fixtures), for the demo's one business number and
 * one caller.
 */
final class DemoWebhooks {
    static final String WABA_ID = "200000000000002";
    static final String PHONE_NUMBER_ID = "110000000000001";
    static final String BUSINESS_NUMBER = "15550001111";
    static final String CALLER_PHONE = "15550100001";
    static final String CALLER_USER_ID = "US.10000000000000000001";
    static final String CALLER_NAME = "Demo Caller";

    private final ObjectMapper json;

    DemoWebhooks(ObjectMapper json) {
        this.json = json;
    }

    /** {@code event=connect}: the caller's offer, as a user-initiated call to the business number. */
    byte[] connect(String callId, String offerSdp, Instant at) {
        ObjectNode root = json.createObjectNode();
        ObjectNode value = envelope(root);
        ObjectNode contact = value.putArray("contacts").addObject();
        contact.putObject("profile").put("name", CALLER_NAME);
        contact.put("wa_id", CALLER_PHONE);
        contact.put("user_id", CALLER_USER_ID);
        ObjectNode call = callEntry(value, callId, "connect", at);
        call.put("from_user_id", CALLER_USER_ID);
        call.putObject("session").put("sdp_type", "offer").put("sdp", offerSdp);
        return bytes(root);
    }

    /** {@code event=terminate, status=COMPLETED}: the caller hung up; duration in whole seconds, as WhatsApp. */
    byte[] terminate(String callId, Instant acceptedAt, Instant at) {
        ObjectNode root = json.createObjectNode();
        ObjectNode call = callEntry(envelope(root), callId, "terminate", at);
        call.put("status", "COMPLETED");
        if (acceptedAt != null) {
            call.put("start_time", String.valueOf(acceptedAt.getEpochSecond()));
            call.put("end_time", String.valueOf(at.getEpochSecond()));
            call.put("duration", Math.round((at.toEpochMilli() - acceptedAt.toEpochMilli()) / 1000.0));
        }
        return bytes(root);
    }

    private static ObjectNode envelope(ObjectNode root) {
        root.put("object", "whatsapp_business_account");
        ObjectNode change = root.putArray("entry").addObject().put("id", WABA_ID).putArray("changes").addObject();
        change.put("field", "calls");
        ObjectNode value = change.putObject("value");
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", BUSINESS_NUMBER).put("phone_number_id", PHONE_NUMBER_ID);
        return value;
    }

    private static ObjectNode callEntry(ObjectNode value, String callId, String event, Instant at) {
        return value.putArray("calls").addObject()
                .put("id", callId)
                .put("from", CALLER_PHONE)
                .put("to", BUSINESS_NUMBER)
                .put("event", event)
                .put("timestamp", String.valueOf(at.getEpochSecond()))
                .put("direction", "USER_INITIATED");
    }

    private byte[] bytes(ObjectNode root) {
        try {
            return json.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
