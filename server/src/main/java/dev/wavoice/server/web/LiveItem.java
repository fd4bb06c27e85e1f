package dev.wavoice.server.web;

import dev.wavoice.server.store.CallEventRecord;
import dev.wavoice.server.store.CallRecord;
import dev.wavoice.server.store.TranscriptRecord;
import java.time.Instant;

/** One thing the live views (dashboard, demo page) are told about, as it happens. */
public sealed interface LiveItem {

    String callId();

    /** The SSE event name the browser listens for. */
    String kind();

    /** A call row as just written: state changes, end reason, duration. */
    record CallRow(CallRecord call) implements LiveItem {
        public String callId() { return call.callId(); }
        public String kind() { return "call"; }
    }

    /** One step of a call (webhook received, pre_accept sent, connected, ended...). */
    record Event(CallEventRecord event) implements LiveItem {
        public String callId() { return event.callId(); }
        public String kind() { return "event"; }
    }

    /** One transcript line. */
    record Transcript(TranscriptRecord transcript) implements LiveItem {
        public String callId() { return transcript.callId(); }
        public String kind() { return "transcript"; }
    }

    /**
     * Something seen outside the call log, for the live views only (e.g. the demo's simulated Meta receiving a
     * Graph request).
     */
    record Notice(String callId, Instant at, String type, String detail) implements LiveItem {
        public String kind() { return "notice"; }
    }
}
