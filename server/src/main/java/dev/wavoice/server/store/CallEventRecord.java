package dev.wavoice.server.store;

import java.time.Instant;
import java.util.UUID;

/**
 * One step of a call (webhook received, pre_accept sent, connected, ended...). The id is made by the writer so
 * that a write retried after a lost commit acknowledgement cannot insert the row twice.
 */
public record CallEventRecord(UUID eventId, String callId, Instant occurredAt, String type, String detail) {

    public static CallEventRecord of(String callId, String type, String detail) {
        return new CallEventRecord(UUID.randomUUID(), callId, Instant.now(), type, detail);
    }
}
