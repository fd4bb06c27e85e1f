package dev.wavoice.media.ice;

/**
 * Counters of one agent, so a stats dump explains a bad call. Drops are split by reason.
 *
 * @param malformed        not a STUN Binding message we can use (bad framing, bad FINGERPRINT, no USERNAME)
 * @param badIntegrity     MESSAGE-INTEGRITY did not verify (wrong password or tampered)
 * @param unknownUsername  USERNAME not "ourUfrag:theirUfrag"
 * @param unmatchedResponses a response to no transaction of ours (late, duplicate or forged)
 */
public record IceStats(long stunReceived, long malformed, long badIntegrity, long unknownUsername,
                       long unmatchedResponses, long requestsAnswered, long roleConflicts, long checksSent,
                       long retransmissions, long consentRequestsSent, long consentResponses) {
}
