package dev.wavoice.server.store;

/**
 * What the call path writes. Implementations must never block the caller on the database: a call keeps going
 * while the log catches up.
 */
public interface CallLog {
    void saveCall(CallRecord call);

    void event(CallEventRecord event);

    void transcript(TranscriptRecord transcript);

    void usage(UsageRecord usage);

    /** The call's recording was closed: its file, length and size go on the call's row. */
    default void recording(RecordingRecord recording) {
    }

    default void event(String callId, String type, String detail) {
        event(CallEventRecord.of(callId, type, detail));
    }
}
