package dev.wavoice.server.call;

import java.util.Locale;

/** Why a call ended; the lower-case name is what the call log and the metrics show. */
public enum EndReason {
    /** The caller hung up after the call was up (terminate webhook, status COMPLETED). */
    CALLER_HANGUP(false),
    /** WhatsApp reports the call failed (terminate webhook, status FAILED). */
    CALL_FAILED(false),
    /** The call was rejected on WhatsApp's side (terminate webhook, status REJECTED). */
    REJECTED_REMOTE(false),
    /** Over {@code WAVOICE_MAX_CALLS}: rejected through Graph. */
    REJECTED_CAPACITY(true),
    /** This build cannot carry the call's media: rejected through Graph. */
    REJECTED_MEDIA_UNAVAILABLE(true),
    /** The offer could not be answered (malformed SDP, no audio, no common codec): rejected through Graph. */
    REJECTED_BAD_OFFER(true),
    /** Not connected before the ring timeout. */
    RING_TIMEOUT(true),
    /** A call the business placed was not answered within {@code WAVOICE_DIAL_TIMEOUT_SECONDS}. */
    DIAL_TIMEOUT(true),
    /** A call the business placed could not be dialled: no call permission, refused, expired or used up. */
    NO_PERMISSION(true),
    /** The user's answer to a business-initiated call could not be used (no audio, bad SDP). */
    REJECTED_BAD_ANSWER(true),
    /** Media (ICE/DTLS) did not come up in time or failed later. */
    MEDIA_FAILED(true),
    /** A Graph action the call depended on failed. */
    GRAPH_ERROR(true),
    /** The maximum call duration was reached. */
    MAX_DURATION(true),
    /** The agent ended the call. */
    AGENT_HANGUP(true),
    /** The agent could not be reached, or was lost and could not be reconnected. */
    AGENT_FAILED(true),
    /** The service shut down while the call was live. */
    SHUTDOWN(true),
    /** The instance carrying the call's media died; a surviving instance ended the call. */
    INSTANCE_LOST(true),
    /** This instance was killed with the call up; its next process, under the same instance id, ended the call. */
    SERVER_RESTART(true);

    private final boolean endedByUs;

    EndReason(boolean endedByUs) {
        this.endedByUs = endedByUs;
    }

    /** True when wavoice is the side hanging up, so it must tell Graph (reject or terminate). */
    public boolean endedByUs() {
        return endedByUs;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
