package dev.wavoice.server.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wavoice.server.sim.CallWebhooks;
import java.time.Instant;

/**
 * The webhooks Meta sends about a call the business placed to the demo's user, in WhatsApp's shape: a
 * {@code statuses[]} entry of type {@code call} (the fields of the {@code status-ringing.json} fixture), the
 * {@code connect} with {@code direction: BUSINESS_INITIATED} carrying the user's SDP answer (the fields of
 * {@code business-initiated-connect.json}), and the {@code terminate}. On these calls {@code from} is the business
 * number and {@code to} the user.
 */
final class OutboundWebhooks {
    static final String USER_PHONE = DemoWebhooks.CALLER_PHONE;
    static final String USER_ID = DemoWebhooks.CALLER_USER_ID;
    static final String USER_NAME = DemoWebhooks.CALLER_NAME;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code statuses[]}: {@code RINGING} when the user's phone rings, {@code ACCEPTED}, {@code REJECTED}. */
    byte[] status(String waCallId, String status, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        envelope(root).putArray("statuses").addObject()
                .put("id", waCallId)
                .put("timestamp", seconds(at))
                .put("type", "call")
                .put("status", status)
                .put("recipient_id", USER_PHONE);
        return bytes(root);
    }

    /** {@code event=connect}: the user picked up; {@code answerSdp} answers the business's offer. */
    byte[] answer(String waCallId, String answerSdp, String callbackData, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode value = envelope(root);
        ObjectNode contact = value.putArray("contacts").addObject();
        contact.putObject("profile").put("name", USER_NAME);
        contact.put("user_id", USER_ID);
        ObjectNode call = callEntry(value, waCallId, "connect", at);
        if (callbackData != null) {
            call.put("biz_opaque_callback_data", callbackData);
        }
        call.putObject("session").put("sdp_type", "answer").put("sdp", answerSdp);
        return bytes(root);
    }

    /**
     * {@code event=terminate}: {@code COMPLETED} after a hang-up (with the talk time in whole seconds when the call
     * was answered), {@code REJECTED} when the user declined.
     */
    byte[] terminate(String waCallId, String status, String callbackData, Instant acceptedAt, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode call = callEntry(envelope(root), waCallId, "terminate", at);
        if (callbackData != null) {
            call.put("biz_opaque_callback_data", callbackData);
        }
        call.put("status", status);
        if (acceptedAt != null) {
            call.put("start_time", seconds(acceptedAt));
            call.put("end_time", seconds(at));
            call.put("duration", Math.round((at.toEpochMilli() - acceptedAt.toEpochMilli()) / 1000.0));
        }
        return bytes(root);
    }

    private static ObjectNode envelope(ObjectNode root) {
        root.put("object", "whatsapp_business_account");
        ObjectNode change = root.putArray("entry").addObject().put("id", CallWebhooks.WABA_ID)
                .putArray("changes").addObject();
        ObjectNode value = change.putObject("value");
        value.put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", CallWebhooks.BUSINESS_NUMBER)
                .put("phone_number_id", CallWebhooks.PHONE_NUMBER_ID);
        change.put("field", "calls");
        return value;
    }

    private static ObjectNode callEntry(ObjectNode value, String waCallId, String event, Instant at) {
        return value.putArray("calls").addObject()
                .put("id", waCallId)
                .put("from", CallWebhooks.BUSINESS_NUMBER)
                .put("to", USER_PHONE)
                .put("to_user_id", USER_ID)
                .put("event", event)
                .put("timestamp", seconds(at))
                .put("direction", "BUSINESS_INITIATED");
    }

    private static String seconds(Instant at) {
        return String.valueOf(at.getEpochSecond());
    }

    private static byte[] bytes(ObjectNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
