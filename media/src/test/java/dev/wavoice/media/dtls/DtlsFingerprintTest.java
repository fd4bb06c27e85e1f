package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DtlsFingerprintTest {
    private static final DtlsCertificate CERT = DtlsCertificate.generate();

    @Test
    void advertisedFingerprintIsUpperCaseColonHexOfTheDerSha256() {
        String sdp = CERT.fingerprint().toSdp();
        assertThat(sdp).matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThat(DtlsFingerprint.parse(sdp)).isEqualTo(CERT.fingerprint());
        assertThat(CERT.fingerprint().matches(CERT.der())).isTrue();
    }

    @Test
    void parsingAcceptsWhatBrowsersAndPionWrite() {
        String lower = CERT.fingerprint().toSdp().toLowerCase();
        assertThat(DtlsFingerprint.parse("SHA-256  " + lower.substring(8))).isEqualTo(CERT.fingerprint());
    }

    @Test
    void otherAlgorithmsFromTheRemoteSdpAreVerifiedWithThatAlgorithm() {
        DtlsFingerprint sha1 = DtlsFingerprint.of("sha-1", CERT.der());
        assertThat(DtlsFingerprint.parse(sha1.toSdp()).matches(CERT.der())).isTrue();
        assertThat(sha1.value()).hasSize(20);
    }

    @Test
    void malformedValuesAreRefusedWithAReason() {
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash-func");
        assertThatThrownBy(() -> DtlsFingerprint.parse("md5 AB:CD"))
                .hasMessageContaining("unsupported fingerprint hash function");
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256 AB:CD"))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256 ZZ:CD"))
                .hasMessageContaining("hex");
    }

    @Test
    void anotherCertificateDoesNotMatch() {
        assertThat(CERT.fingerprint().matches(DtlsCertificate.generate().der())).isFalse();
    }

    @Test
    void perProcessSupplierGeneratesOnce() {
        var supplier = DtlsCertificate.perProcess();
        assertThat(supplier.get()).isSameAs(supplier.get());
        var fresh = DtlsCertificate.perEndpoint();
        assertThat(fresh.get().fingerprint()).isNotEqualTo(fresh.get().fingerprint());
    }

    @Test
    void setupAttributeFixesTheRole() {
        assertThat(DtlsRole.fromLocalSetup("active")).isEqualTo(DtlsRole.CLIENT);
        assertThat(DtlsRole.fromLocalSetup("passive")).isEqualTo(DtlsRole.SERVER);
        assertThatThrownBy(() -> DtlsRole.fromLocalSetup("actpass")).isInstanceOf(IllegalArgumentException.class);
    }
}
