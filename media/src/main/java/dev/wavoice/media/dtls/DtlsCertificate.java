package dev.wavoice.media.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Our self-signed DTLS certificate and its SDP fingerprint. ECDSA P-256 by default, as Chromium
 * uses: small handshakes, fast signatures. RSA exists for interop tests with peers that use it.
 * Immutable; one may serve every call of a process ({@link #perProcess()}) or each call its own.
 */
public final class DtlsCertificate {
    /** Key types we can generate. */
    public enum KeyType { ECDSA_P256, RSA_2048 }

    private final KeyType keyType;
    private final byte[] der;
    private final AsymmetricKeyParameter privateKey;
    private final DtlsFingerprint fingerprint;

    private DtlsCertificate(KeyType keyType, byte[] der, AsymmetricKeyParameter privateKey) {
        this.keyType = keyType;
        this.der = der;
        this.privateKey = privateKey;
        this.fingerprint = DtlsFingerprint.sha256(der);
    }

    /** A fresh ECDSA P-256 certificate valid for 30 days. */
    public static DtlsCertificate generate() {
        return generate(KeyType.ECDSA_P256);
    }

    public static DtlsCertificate generate(KeyType type) {
        try {
            KeyPair pair;
            String signature;
            if (type == KeyType.ECDSA_P256) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                pair = g.generateKeyPair();
                signature = "SHA256withECDSA";
            } else {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                pair = g.generateKeyPair();
                signature = "SHA256withRSA";
            }
            Instant now = Instant.now();
            // Random CN and serial, like browsers, so certificates are not linkable across processes.
            SecureRandom random = new SecureRandom();
            X500Name name = new X500Name("CN=wavoice-" + Long.toHexString(random.nextLong() >>> 1));
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(63, random), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, pair.getPublic())
                    .build(new JcaContentSignerBuilder(signature).build(pair.getPrivate()));
            return new DtlsCertificate(type, holder.getEncoded(),
                    PrivateKeyFactory.createKey(pair.getPrivate().getEncoded()));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a " + type + " certificate", e);
        }
    }

    /** Generates on first use, then hands out the same certificate: one per process or per owner. */
    public static Supplier<DtlsCertificate> perProcess() {
        return new Supplier<>() {
            private volatile DtlsCertificate cert;

            @Override public DtlsCertificate get() {
                DtlsCertificate c = cert;
                if (c == null) {
                    synchronized (this) {
                        c = cert;
                        if (c == null) {
                            c = generate();
                            cert = c;
                        }
                    }
                }
                return c;
            }
        };
    }

    /** A new certificate for every endpoint. */
    public static Supplier<DtlsCertificate> perEndpoint() {
        return DtlsCertificate::generate;
    }

    public KeyType keyType() { return keyType; }

    /** The SHA-256 fingerprint the SDP offer/answer advertises for us. */
    public DtlsFingerprint fingerprint() { return fingerprint; }

    public byte[] der() { return der.clone(); }

    AsymmetricKeyParameter privateKey() { return privateKey; }

    byte[] derUnsafe() { return der; }
}
