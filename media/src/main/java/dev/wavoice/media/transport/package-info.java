/**
 * One UDP port for many calls: {@link dev.wavoice.media.transport.UdpMux} classifies each datagram by its
 * first byte (RFC 7983: STUN, DTLS, RTP/RTCP) and hands it to the {@link dev.wavoice.media.transport.MuxEndpoint}
 * that owns it: Binding requests by the ICE ufrag in USERNAME, everything else by the remote address that
 * endpoint's ICE agent routed. A {@code MuxEndpoint} is the ICE agent's
 * {@link dev.wavoice.media.ice.DatagramSender}; DTLS and SRTP send through it too.
 *
 * <p>{@link dev.wavoice.media.transport.ServerReflexiveProbe} asks a STUN server once per port for the public
 * address of that port, in the background; calls use it only if it is already known.
 */
package dev.wavoice.media.transport;
