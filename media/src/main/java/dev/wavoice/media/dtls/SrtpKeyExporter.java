package dev.wavoice.media.dtls;

import dev.wavoice.media.srtp.SrtpKeyMaterial;
import dev.wavoice.media.srtp.SrtpProfile;
import java.util.Arrays;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.TlsContext;

/**
 * SRTP master keys from a finished DTLS handshake, RFC 5764 §4.2: the exporter with label
 * "EXTRACTOR-dtls_srtp" and no context yields
 * {@code client_key | server_key | client_salt | server_salt}; the client protects with the
 * client half and the server with the server half.
 */
final class SrtpKeyExporter {
    private SrtpKeyExporter() {}

    static SrtpKeyMaterial export(TlsContext context, SrtpProfile profile, DtlsRole role) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * (k + s));
        try {
            return split(material, profile, role);
        } finally {
            Arrays.fill(material, (byte) 0);
        }
    }

    static SrtpKeyMaterial split(byte[] material, SrtpProfile profile, DtlsRole role) {
        int k = profile.keyLength();
        int s = profile.saltLength();
        byte[] clientKey = Arrays.copyOfRange(material, 0, k);
        byte[] serverKey = Arrays.copyOfRange(material, k, 2 * k);
        byte[] clientSalt = Arrays.copyOfRange(material, 2 * k, 2 * k + s);
        byte[] serverSalt = Arrays.copyOfRange(material, 2 * k + s, 2 * (k + s));
        return role == DtlsRole.CLIENT
                ? new SrtpKeyMaterial(profile, clientKey, clientSalt, serverKey, serverSalt)
                : new SrtpKeyMaterial(profile, serverKey, serverSalt, clientKey, clientSalt);
    }
}
