package dev.wavoice.media.ice;

/** Mutable counters behind {@link IceStats}; guarded by the agent's lock. */
final class IceCounters {
    long stunReceived;
    long malformed;
    long badIntegrity;
    long unknownUsername;
    long unmatchedResponses;
    long requestsAnswered;
    long roleConflicts;
    long checksSent;
    long retransmissions;
    long consentRequestsSent;
    long consentResponses;

    IceStats snapshot() {
        return new IceStats(stunReceived, malformed, badIntegrity, unknownUsername, unmatchedResponses,
                requestsAnswered, roleConflicts, checksSent, retransmissions, consentRequestsSent, consentResponses);
    }
}
