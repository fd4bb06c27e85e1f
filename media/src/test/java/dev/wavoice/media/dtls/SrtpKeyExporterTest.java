package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.srtp.SrtpKeyMaterial;
import dev.wavoice.media.srtp.SrtpProfile;
import org.junit.jupiter.api.Test;

/** RFC 5764 §4.2: client_key | server_key | client_salt | server_salt, oriented per role. */
class SrtpKeyExporterTest {

    private static byte[] sequence(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = (byte) i;
        }
        return b;
    }

    @Test
    void aesCmLayoutIsKeysThenSalts() {
        SrtpKeyMaterial client = SrtpKeyExporter.split(sequence(60), SrtpProfile.AES_CM_128_HMAC_SHA1_80, DtlsRole.CLIENT);
        assertThat(client.localKey()).isEqualTo(range(0, 16));
        assertThat(client.remoteKey()).isEqualTo(range(16, 32));
        assertThat(client.localSalt()).isEqualTo(range(32, 46));
        assertThat(client.remoteSalt()).isEqualTo(range(46, 60));
    }

    @Test
    void gcmUsesTwelveByteSalts() {
        SrtpKeyMaterial server = SrtpKeyExporter.split(sequence(56), SrtpProfile.AEAD_AES_128_GCM, DtlsRole.SERVER);
        assertThat(server.localKey()).isEqualTo(range(16, 32));
        assertThat(server.remoteKey()).isEqualTo(range(0, 16));
        assertThat(server.localSalt()).isEqualTo(range(44, 56));
        assertThat(server.remoteSalt()).isEqualTo(range(32, 44));
    }

    @Test
    void serverViewIsTheClientViewMirrored() {
        byte[] m = sequence(60);
        var p = SrtpProfile.AES_CM_128_HMAC_SHA1_80;
        assertThat(SrtpKeyExporter.split(m, p, DtlsRole.SERVER))
                .isEqualTo(SrtpKeyExporter.split(m, p, DtlsRole.CLIENT).mirrored());
    }
}
