package dev.wavoice.server.whatsapp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The webhook envelope Meta POSTs, modelled after the Cloud API payloads (see the fixtures). Every record
 * ignores unknown fields: Meta adds fields without notice and a new one must never turn into a 400.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookPayload(String object, List<Entry> entry) {

    /** The entries; a JSON {@code null} among them is skipped, like every null element of the lists below. */
    public List<Entry> entries() {
        return present(entry);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Entry(String id, List<Change> changes) {
        public List<Change> changeList() {
            return present(changes);
        }
    }

    /** One change; {@code value} is kept raw until {@code field} says what it holds. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Change(String field, JsonNode value) {}

    /** The value of a {@code calls} change. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CallsValue(
            @JsonProperty("messaging_product") String messagingProduct,
            Metadata metadata,
            List<Contact> contacts,
            List<CallEvent> calls,
            List<CallStatus> statuses,
            List<GraphError> errors) {

        public List<Contact> contactList() {
            return present(contacts);
        }

        /** Null elements kept: an event's index is its place in the raw {@code calls} array, for a hand-over. */
        public List<CallEvent> callList() {
            return calls == null ? List.of() : calls;
        }

        /** Null elements kept, as in {@link #callList()}. */
        public List<CallStatus> statusList() {
            return statuses == null ? List.of() : statuses;
        }

        public List<GraphError> errorList() {
            return present(errors);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metadata(
            @JsonProperty("display_phone_number") String displayPhoneNumber,
            @JsonProperty("phone_number_id") String phoneNumberId) {}

    /**
     * A contact; since the 2026 username change {@code wa_id} may be empty and {@code user_id} (the
     * business-scoped user id, BSUID) is then the only stable handle.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Contact(Profile profile, @JsonProperty("wa_id") String waId, @JsonProperty("user_id") String userId) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Profile(String name, String username, @JsonProperty("country_code") String countryCode) {}

    /** One entry of {@code calls[]}: a connect or a terminate. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CallEvent(
            String id,
            String from,
            @JsonProperty("from_user_id") String fromUserId,
            String to,
            @JsonProperty("to_user_id") String toUserId,
            String event,
            String timestamp,
            String direction,
            String status,
            @JsonProperty("start_time") String startTime,
            @JsonProperty("end_time") String endTime,
            Long duration,
            @JsonProperty("biz_opaque_callback_data") String bizOpaqueCallbackData,
            Session session) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Session(@JsonProperty("sdp_type") String sdpType, String sdp) {}

    /** Progress of a business-initiated call ({@code statuses[]} with {@code type: call}). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CallStatus(
            String id,
            String timestamp,
            String type,
            String status,
            @JsonProperty("recipient_id") String recipientId,
            @JsonProperty("recipient_user_id") String recipientUserId) {}

    /** An error reported inside a webhook (beside {@code calls[]} of a failed call). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GraphError(Integer code, String title, String message, @JsonProperty("error_data") JsonNode errorData) {
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append(code == null ? "?" : code).append(' ').append(message != null ? message : title);
            if (errorData != null && errorData.hasNonNull("details")) {
                sb.append(": ").append(errorData.get("details").asText());
            }
            return sb.toString();
        }
    }

    /**
     * The value of a {@code messages} change: what users sent the business. wavoice reads two things from it: that
     * a user wrote (the customer-service window) and a user's {@code call_permission_reply}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MessagesValue(
            @JsonProperty("messaging_product") String messagingProduct,
            Metadata metadata,
            List<Contact> contacts,
            List<InboundMessage> messages) {

        public List<Contact> contactList() {
            return present(contacts);
        }

        /** Null elements kept, so that each can be counted as malformed. */
        public List<InboundMessage> messageList() {
            return messages == null ? List.of() : messages;
        }
    }

    /** One entry of {@code messages[]}; since the 2026 username change {@code from} may be empty beside a BSUID. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InboundMessage(
            String id,
            String from,
            @JsonProperty("from_user_id") String fromUserId,
            String timestamp,
            String type,
            MessageContext context,
            Interactive interactive) {}

    /** The message a reply answers ({@code context.id}: the call permission request's message id). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MessageContext(String from, String id) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Interactive(
            String type,
            @JsonProperty("call_permission_reply") CallPermissionReply callPermissionReply) {}

    /**
     * The user's answer to a call permission request: {@code response} accept or reject, {@code is_permanent},
     * {@code expiration_timestamp} (Unix seconds, for a temporary grant), {@code response_source} user_action or
     * automatic (the user called the business).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CallPermissionReply(
            String response,
            @JsonProperty("is_permanent") Boolean isPermanent,
            @JsonProperty("expiration_timestamp") Long expirationTimestamp,
            @JsonProperty("response_source") String responseSource) {}

    /** A list without its null elements (a body may hold {@code [null]} where Meta sends objects). */
    private static <T> List<T> present(List<T> list) {
        return list == null ? List.of() : list.stream().filter(java.util.Objects::nonNull).toList();
    }
}
