/**
 * STUN messages (RFC 8489) as ICE uses them: Binding requests and responses with USERNAME,
 * MESSAGE-INTEGRITY (short-term credentials), FINGERPRINT, XOR-MAPPED-ADDRESS, PRIORITY, USE-CANDIDATE,
 * ICE-CONTROLLING / ICE-CONTROLLED and ERROR-CODE.
 *
 * <p>Packet-path rules: {@link dev.wavoice.media.stun.StunMessage#isStun} is a cheap classification;
 * {@link dev.wavoice.media.stun.StunMessage#parse} returns null instead of throwing, so the caller counts the
 * drop; {@link dev.wavoice.media.stun.MessageIntegrity#verify} checks the HMAC against the received bytes in
 * place while the receive buffer is still valid, allocating nothing. The RFC 5769 sample messages are the
 * tests.
 */
package dev.wavoice.media.stun;
