package dev.wavoice.media.dtls;

import dev.wavoice.media.srtp.SrtpKeyMaterial;
import dev.wavoice.media.srtp.SrtpProfile;
import java.io.IOException;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * What our BC client and server peers share: the certificate we present, the fingerprint the peer
 * must match, and what the handshake decided. Written by the handshake thread, read after it.
 */
final class HandshakeState {
    final DtlsRole role;
    final DtlsConfig config;
    final DtlsCertificate certificate;
    final DtlsFingerprint expectedPeer;

    volatile SrtpProfile profile;
    volatile SrtpKeyMaterial keys;
    volatile DtlsFingerprint peerFingerprint;
    volatile DtlsFingerprintMismatchException mismatch;
    volatile boolean closeNotifyReceived;
    volatile boolean connectionClosed;
    volatile short fatalAlertReceived = -1;
    /** The first flight's retransmission timer; set before the handshake thread starts. */
    volatile int resendMillis;

    HandshakeState(DtlsRole role, DtlsConfig config, DtlsCertificate certificate, DtlsFingerprint expectedPeer) {
        this.role = role;
        this.config = config;
        this.certificate = certificate;
        this.expectedPeer = expectedPeer;
        this.resendMillis = (int) config.initialRetransmit().toMillis();
    }

    /**
     * RFC 5763 §5 / RFC 8122 §5: the leaf certificate must hash to the SDP fingerprint, with the
     * SDP's algorithm. Chains are not validated: self-signed certificates are the norm.
     */
    void verifyPeer(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            mismatch = new DtlsFingerprintMismatchException(expectedPeer, "(none presented)");
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "peer presented no certificate");
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        DtlsFingerprint actual = DtlsFingerprint.of(expectedPeer.algorithm(), der);
        if (!actual.equals(expectedPeer)) {
            mismatch = new DtlsFingerprintMismatchException(expectedPeer, actual.toSdp());
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "certificate fingerprint mismatch");
        }
        peerFingerprint = actual;
    }

    TlsCredentialedSigner signer(TlsContext context, BcTlsCrypto crypto) throws IOException {
        TlsCertificate tlsCert = crypto.createCertificate(certificate.derUnsafe());
        short signature = certificate.keyType() == DtlsCertificate.KeyType.ECDSA_P256
                ? SignatureAlgorithm.ecdsa : SignatureAlgorithm.rsa;
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), new Certificate(new TlsCertificate[] {tlsCert}),
                SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, signature));
    }

    void exportKeys(TlsContext context) throws IOException {
        if (profile == null) {
            throw new TlsFatalAlert(AlertDescription.internal_error, "no SRTP profile negotiated");
        }
        keys = SrtpKeyExporter.export(context, profile, role);
    }

    void alertReceived(short level, short description) {
        if (description == AlertDescription.close_notify) {
            closeNotifyReceived = true;
        } else if (level == AlertLevel.fatal) {
            fatalAlertReceived = description;
        }
    }

    int[] offeredProfileIds() {
        return config.srtpProfiles().stream().mapToInt(SrtpProfile::dtlsId).toArray();
    }
}
