package dev.wavoice.server.store;

import java.time.Instant;
import java.util.UUID;

/** One transcript line of a call; {@code speaker} is {@code caller} or {@code assistant}. */
public record TranscriptRecord(UUID transcriptId, String callId, Instant occurredAt, String speaker, String text,
        boolean isFinal, boolean interrupted) {}
