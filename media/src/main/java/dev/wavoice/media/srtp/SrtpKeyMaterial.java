package dev.wavoice.media.srtp;

import java.util.Arrays;

/**
 * SRTP master keys for one call, already oriented for our DTLS role: {@code local*} protects what we
 * send, {@code remote*} unprotects what we receive (RFC 5764 §4.2 client/server split).
 */
public record SrtpKeyMaterial(SrtpProfile profile, byte[] localKey, byte[] localSalt,
                              byte[] remoteKey, byte[] remoteSalt) {

    public SrtpKeyMaterial {
        checkLength("localKey", localKey, profile.keyLength());
        checkLength("remoteKey", remoteKey, profile.keyLength());
        checkLength("localSalt", localSalt, profile.saltLength());
        checkLength("remoteSalt", remoteSalt, profile.saltLength());
        localKey = localKey.clone();
        localSalt = localSalt.clone();
        remoteKey = remoteKey.clone();
        remoteSalt = remoteSalt.clone();
    }

    private static void checkLength(String name, byte[] value, int expected) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(name + " must be " + expected + " bytes for "
                    + "the negotiated profile");
        }
    }

    @Override public byte[] localKey() { return localKey.clone(); }
    @Override public byte[] localSalt() { return localSalt.clone(); }
    @Override public byte[] remoteKey() { return remoteKey.clone(); }
    @Override public byte[] remoteSalt() { return remoteSalt.clone(); }

    /** The same keys seen from the peer: what we send, it receives. */
    public SrtpKeyMaterial mirrored() {
        return new SrtpKeyMaterial(profile, remoteKey, remoteSalt, localKey, localSalt);
    }

    @Override public boolean equals(Object o) {
        return o instanceof SrtpKeyMaterial k && k.profile == profile
                && Arrays.equals(k.localKey, localKey) && Arrays.equals(k.localSalt, localSalt)
                && Arrays.equals(k.remoteKey, remoteKey) && Arrays.equals(k.remoteSalt, remoteSalt);
    }

    @Override public int hashCode() {
        return profile.hashCode() * 31 + Arrays.hashCode(localKey);
    }

    /** Keys never reach logs or events' toString. */
    @Override public String toString() {
        return "SrtpKeyMaterial[" + profile + "]";
    }
}
