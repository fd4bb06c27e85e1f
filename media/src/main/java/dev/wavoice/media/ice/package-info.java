/**
 * A full ICE agent (RFC 8445) for one component, with consent freshness (RFC 7675).
 *
 * <p>{@link dev.wavoice.media.ice.IceAgent} owns no socket and no thread: feed it STUN datagrams
 * ({@code handleStun}), drive its clock ({@code tick}, or share an {@link dev.wavoice.media.ice.IceTicker}),
 * and give it a {@link dev.wavoice.media.ice.DatagramSender}. It reports
 * {@link dev.wavoice.media.ice.IceEvent}s: checking, connected (with the selected pair), disconnected,
 * failed, closed. Typical wiring for a WhatsApp call:
 *
 * <pre>{@code
 * IceAgent agent = new IceAgent(callId, IceConfig.defaults(), IceCredentials.random(secureRandom),
 *         IceRole.CONTROLLED, muxEndpoint, events::add, secureRandom);
 * agent.addLocalCandidate(IceCandidate.announced(publicAddress, hostAddress, 65535)); // if configured
 * agent.addLocalCandidate(IceCandidate.host(hostAddress, 65534));
 * // ... SdpNegotiator.answer(...) with the local candidates' toSdp() ...
 * agent.setRemoteCredentials(n.remoteUfrag(), n.remotePwd(), n.remoteIceLite()); // lite => controlling
 * n.remoteCandidates().stream().map(IceCandidate::fromSdp).filter(Objects::nonNull).forEach(agent::addRemoteCandidate);
 * agent.start(System.nanoTime());
 * ticker.add(agent);
 * }</pre>
 */
package dev.wavoice.media.ice;
