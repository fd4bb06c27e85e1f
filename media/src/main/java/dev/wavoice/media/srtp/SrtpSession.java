package dev.wavoice.media.srtp;

/**
 * The two SRTP contexts of one call: {@code outbound} protects with our keys, {@code inbound}
 * unprotects with the peer's. Built from the keys DTLS exported for our role.
 */
public record SrtpSession(SrtpProfile profile, SrtpContext outbound, SrtpContext inbound) {

    public static SrtpSession create(SrtpKeyMaterial keys, SrtpOptions options) {
        return new SrtpSession(keys.profile(),
                SrtpContext.create(keys.profile(), keys.localKey(), keys.localSalt(), options),
                SrtpContext.create(keys.profile(), keys.remoteKey(), keys.remoteSalt(), options));
    }
}
