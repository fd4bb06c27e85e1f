package dev.wavoice.server.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The call webhooks a simulated Meta delivers, in WhatsApp's shape (the fields of the captured
 * {@code connect.json}, {@code terminate-completed.json}, {@code status-ringing.json} and
 * {@code business-initiated-connect.json} fixtures), for one simulated business number. Shared by
 * {@code wavoice simulate}/{@code bench} and the demo, so both speak exactly what the service parses.
 */
public final class CallWebhooks {
    /** The business account and number simulated calls are placed to. */
    public static final String WABA_ID = "200000000000002";
    public static final String PHONE_NUMBER_ID = "110000000000001";
    public static final String BUSINESS_NUMBER = "15550001111";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who calls: a phone number, optionally a business-scoped user id (BSUID), and the profile name. */
    public record Caller(String phone, String userId, String name) {
    }

    private CallWebhooks() {
    }

    /** {@code event=connect}: the caller's offer, as a user-initiated call to the business number. */
    public static byte[] connect(String callId, Caller caller, String offerSdp, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode value = envelope(root);
        ObjectNode contact = value.putArray("contacts").addObject();
        contact.putObject("profile").put("name", caller.name());
        contact.put("wa_id", caller.phone());
        if (caller.userId() != null) {
            contact.put("user_id", caller.userId());
        }
        ObjectNode call = callEntry(value, callId, caller, "connect", at);
        if (caller.userId() != null) {
            call.put("from_user_id", caller.userId());
        }
        call.putObject("session").put("sdp_type", "offer").put("sdp", offerSdp);
        return bytes(root);
    }

    /**
     * {@code statuses[]} of a call the business placed ({@code type: call}): {@code RINGING}, {@code ACCEPTED} or
     * {@code REJECTED}, for the user it calls.
     */
    public static byte[] status(String callId, String userPhone, String status, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        envelope(root).putArray("statuses").addObject()
                .put("id", callId)
                .put("timestamp", String.valueOf(at.getEpochSecond()))
                .put("type", "call")
                .put("status", status)
                .put("recipient_id", userPhone);
        return bytes(root);
    }

    /**
     * {@code event=connect, direction=BUSINESS_INITIATED}: the user picked up a call the business placed, and
     * {@code session} carries the user's answer to the business's offer. The call goes from the business number
     * to the user, and echoes the {@code biz_opaque_callback_data} the business gave (when it gave one).
     */
    public static byte[] answer(String callId, Caller user, String answerSdp, String callbackData, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode value = envelope(root);
        ObjectNode contact = value.putArray("contacts").addObject();
        contact.putObject("profile").put("name", user.name());
        contact.put("wa_id", user.phone());
        if (user.userId() != null) {
            contact.put("user_id", user.userId());
        }
        ObjectNode call = businessCallEntry(value, callId, user, "connect", at);
        if (callbackData != null) {
            call.put("biz_opaque_callback_data", callbackData);
        }
        call.putObject("session").put("sdp_type", "answer").put("sdp", answerSdp);
        return bytes(root);
    }

    /** {@code event=terminate, status=COMPLETED} of a call the business placed: the user hung up. */
    public static byte[] userHungUp(String callId, Caller user, Instant acceptedAt, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode call = businessCallEntry(envelope(root), callId, user, "terminate", at);
        completed(call, acceptedAt, at);
        return bytes(root);
    }

    /**
     * {@code event=terminate, status=COMPLETED}: the caller hung up. With {@code acceptedAt}, the talk time in
     * whole seconds, as WhatsApp reports it; without (never answered), no times.
     */
    public static byte[] terminate(String callId, Caller caller, Instant acceptedAt, Instant at) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode call = callEntry(envelope(root), callId, caller, "terminate", at);
        completed(call, acceptedAt, at);
        return bytes(root);
    }

    private static void completed(ObjectNode call, Instant acceptedAt, Instant at) {
        call.put("status", "COMPLETED");
        if (acceptedAt != null) {
            call.put("start_time", String.valueOf(acceptedAt.getEpochSecond()));
            call.put("end_time", String.valueOf(at.getEpochSecond()));
            call.put("duration", Math.round((at.toEpochMilli() - acceptedAt.toEpochMilli()) / 1000.0));
        }
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

    private static ObjectNode callEntry(ObjectNode value, String callId, Caller caller, String event, Instant at) {
        return value.putArray("calls").addObject()
                .put("id", callId)
                .put("from", caller.phone())
                .put("to", BUSINESS_NUMBER)
                .put("event", event)
                .put("timestamp", String.valueOf(at.getEpochSecond()))
                .put("direction", "USER_INITIATED");
    }

    /** A call the business placed: from the business number to the user (and the user's BSUID, when known). */
    private static ObjectNode businessCallEntry(ObjectNode value, String callId, Caller user, String event, Instant at) {
        ObjectNode call = value.putArray("calls").addObject()
                .put("id", callId)
                .put("from", BUSINESS_NUMBER)
                .put("to", user.phone());
        if (user.userId() != null) {
            call.put("to_user_id", user.userId());
        }
        return call.put("event", event)
                .put("timestamp", String.valueOf(at.getEpochSecond()))
                .put("direction", "BUSINESS_INITIATED");
    }

    private static byte[] bytes(ObjectNode root) {
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
