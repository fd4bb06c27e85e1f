package dev.wavoice.media.transport;

/**
 * Counters of a {@link UdpMux}: what arrived, by class, and every drop by reason.
 *
 * @param unclassified   first byte outside the RFC 7983 ranges we serve
 * @param truncated      shorter than the smallest header of its class, or larger than the receive buffer
 * @param malformedStun  first byte says STUN but there is no STUN header (magic cookie, length)
 * @param unknownUfrag   a Binding request whose USERNAME names no registered endpoint
 * @param unknownAddress a non-request datagram from an address no endpoint has routed
 * @param handlerErrors  an endpoint's handler threw; the datagram was dropped
 * @param addressConflicts an endpoint asked to route an address another endpoint already owns
 */
public record UdpMuxStats(long received, long stun, long dtls, long rtp, long unclassified, long truncated,
                          long malformedStun, long unknownUfrag, long unknownAddress, long handlerErrors,
                          long addressConflicts, long sendErrors) {

    public long dropped() {
        return unclassified + truncated + malformedStun + unknownUfrag + unknownAddress + handlerErrors;
    }
}
