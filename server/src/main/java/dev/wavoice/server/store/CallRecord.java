package dev.wavoice.server.store;

import java.time.Instant;

/**
 * One row of {@code calls}: the state of a call as last written.
 *
 * @param waCallId       WhatsApp's id of a business-initiated call (null until Graph {@code connect} answers, and for
 *                       calls the user placed, whose {@code callId} is WhatsApp's)
 * @param callbackData   what the business passed when it dialled ({@code biz_opaque_callback_data})
 * @param graphErrorCode Meta's error code when a Graph action refused or ended the call
 */
public record CallRecord(
        String callId,
        String direction,
        String callerPhone,
        String callerBsuid,
        String callerName,
        String businessNumber,
        String phoneNumberId,
        String state,
        String agent,
        Instant startedAt,
        Instant connectedAt,
        Instant endedAt,
        String endReason,
        String endDetail,
        Long durationMs,
        String ownerInstance,
        String waCallId,
        String callbackData,
        Integer graphErrorCode) {

    /** A call the user placed: no outbound fields. */
    public CallRecord(String callId, String direction, String callerPhone, String callerBsuid, String callerName,
            String businessNumber, String phoneNumberId, String state, String agent, Instant startedAt,
            Instant connectedAt, Instant endedAt, String endReason, String endDetail, Long durationMs,
            String ownerInstance) {
        this(callId, direction, callerPhone, callerBsuid, callerName, businessNumber, phoneNumberId, state, agent,
                startedAt, connectedAt, endedAt, endReason, endDetail, durationMs, ownerInstance, null, null, null);
    }

    /** The same row, ended as of {@code endedAt}. */
    public CallRecord ended(String endState, Instant endedAt, String endReason, String endDetail, Long durationMs) {
        return new CallRecord(callId, direction, callerPhone, callerBsuid, callerName, businessNumber, phoneNumberId,
                endState, agent, startedAt, connectedAt, endedAt, endReason, endDetail, durationMs, ownerInstance,
                waCallId, callbackData, graphErrorCode);
    }
}
