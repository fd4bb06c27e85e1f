/**
 * Playout timing, both directions, without any codec: the {@link dev.wavoice.media.playout.JitterBuffer}
 * decides what the inbound decoder should do every frame (decode, decode FEC, conceal, play silence), and
 * one shared {@link dev.wavoice.media.playout.Pacer} clock drains every call's
 * {@link dev.wavoice.media.playout.OutboundQueue} once per 20 ms.
 *
 * <p>Ownership, Netty style: payload views and frames handed out here are borrowed, valid until the next
 * call on the object that lent them, and never allocated per packet.
 */
package dev.wavoice.media.playout;
