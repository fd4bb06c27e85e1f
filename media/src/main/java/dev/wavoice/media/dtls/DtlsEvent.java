package dev.wavoice.media.dtls;

import dev.wavoice.media.srtp.SrtpKeyMaterial;
import dev.wavoice.media.srtp.SrtpProfile;

/** What a {@link DtlsEndpoint} reports, once each at most, in this order: connected/failed, closed. */
public sealed interface DtlsEvent {

    /** Handshake done, peer certificate matched the SDP fingerprint, SRTP keys exported. */
    record Connected(SrtpKeyMaterial keys, DtlsFingerprint peerFingerprint) implements DtlsEvent {
        public SrtpProfile profile() { return keys.profile(); }
    }

    /** The handshake did not complete; the cause says why by type. */
    record Failed(DtlsException cause) implements DtlsEvent {}

    /** The association ended after connecting. */
    record Closed(CloseReason reason) implements DtlsEvent {}

    /** Why a connected association ended. */
    enum CloseReason {
        /** The peer sent close_notify (RFC 5246 §7.2.1): a normal hang-up. */
        PEER_CLOSE_NOTIFY,
        /** The peer sent a fatal alert or the record layer failed. */
        PEER_ALERT,
        /** We closed it. */
        LOCAL
    }
}
