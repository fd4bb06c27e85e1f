package dev.wavoice.media.ice;

import dev.wavoice.media.stun.MessageIntegrity;
import dev.wavoice.media.stun.StunAttribute;
import dev.wavoice.media.stun.StunMessage;
import dev.wavoice.media.stun.StunMessageBuilder;
import dev.wavoice.media.stun.TransactionId;
import java.net.InetSocketAddress;

/** The three STUN messages ICE sends; all carry MESSAGE-INTEGRITY and FINGERPRINT (RFC 8445 §7.1, §7.3). */
final class IceMessages {
    private IceMessages() {
    }

    /**
     * A connectivity or consent check (RFC 8445 §7.1.1-§7.1.3). USERNAME is "theirUfrag:ourUfrag"; PRIORITY
     * is what a peer-reflexive candidate learnt from this check would get; the key is the peer's password.
     */
    static byte[] check(TransactionId id, String remoteUfrag, String localUfrag, long prflxPriority, IceRole role,
                        long tieBreaker, boolean useCandidate, MessageIntegrity remoteKey) {
        StunMessageBuilder b = StunMessageBuilder.bindingRequest(id)
                .add(new StunAttribute.Username(remoteUfrag + ":" + localUfrag))
                .add(new StunAttribute.Priority(prflxPriority))
                .add(role == IceRole.CONTROLLING
                        ? new StunAttribute.IceControlling(tieBreaker)
                        : new StunAttribute.IceControlled(tieBreaker));
        if (useCandidate) {
            b.add(new StunAttribute.UseCandidate());
        }
        return b.encode(remoteKey, true);
    }

    /** RFC 8445 §7.3.1.2: the success response reflects the source address, signed with our password. */
    static byte[] success(StunMessage request, InetSocketAddress from, MessageIntegrity localKey) {
        return StunMessageBuilder.bindingSuccess(request.transactionId())
                .add(new StunAttribute.XorMappedAddress(from))
                .encode(localKey, true);
    }

    /** RFC 8445 §7.3.1.1: 487 tells the peer to switch roles. */
    static byte[] roleConflict(StunMessage request, MessageIntegrity localKey) {
        return StunMessageBuilder.bindingError(request.transactionId())
                .add(new StunAttribute.ErrorCode(StunAttribute.ErrorCode.ROLE_CONFLICT, "Role Conflict"))
                .encode(localKey, true);
    }

    /** RFC 8445 §7.1.1: the priority a peer-reflexive candidate with this base would have. */
    static long prflxPriority(IceCandidate base) {
        return ((long) CandidateType.PEER_REFLEXIVE.typePreference() << 24) | (base.priority() & 0x00FFFFFFL);
    }
}
