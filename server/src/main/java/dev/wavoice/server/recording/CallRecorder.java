package dev.wavoice.server.recording;

/** Starts a call's recording, or not: what an agent's route asks for each call it carries. */
@FunctionalInterface
public interface CallRecorder {
    CallRecording forCall(String callId);

    /** An agent whose calls are not recorded. */
    static CallRecorder off() {
        return callId -> CallRecording.OFF;
    }
}
