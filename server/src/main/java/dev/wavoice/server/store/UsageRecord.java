package dev.wavoice.server.store;

import java.time.Instant;
import java.util.UUID;

/** Token usage reported by the agent for one response. */
public record UsageRecord(UUID usageId, String callId, Instant occurredAt, long inputTokens, long outputTokens,
        long inputAudioTokens, long outputAudioTokens) {}
