package dev.wavoice.server.store;

import java.time.Instant;

/** One row of {@code calls}: the state of a call as last written. */
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
        String ownerInstance) {}
