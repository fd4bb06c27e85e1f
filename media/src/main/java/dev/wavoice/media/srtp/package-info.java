/**
 * SRTP and SRTCP (RFC 3711) with AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM (RFC 7714).
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link dev.wavoice.media.srtp.SrtpSession}: the two contexts of a call, built from the
 *       {@link dev.wavoice.media.srtp.SrtpKeyMaterial} DTLS exported for our role.</li>
 *   <li>{@link dev.wavoice.media.srtp.SrtpContext}: one master key, one direction; per-SSRC
 *       rollover counter (§3.3.1, Appendix A), replay window (§3.3.2, 128 by default) and SRTCP
 *       index with E-bit (§3.4). Protect/unprotect work in place, return the new length or -1,
 *       count drops by {@link dev.wavoice.media.srtp.SrtpDropReason}, and never throw on packet
 *       content. No global state, no threads, no allocation per packet after warm-up.</li>
 *   <li>One transform per file: {@code AesCmHmacSha1Cipher}, {@code AeadAesGcmCipher}; key
 *       derivation alone in {@code SrtpKeyDerivation}; RFC vectors in the tests beside them
 *       ({@code SrtpKeyDerivationRfc3711Test} B.3, {@code AesCmHmacSha1CipherRfc3711Test} B.2,
 *       {@code AeadAesGcmCipherRfc7714Test} §16/§17).</li>
 * </ul>
 *
 * <h2>Why not org.jitsi:jitsi-srtp</h2>
 * Evaluated at version 1.1-23-gaf3cd06 ({@code JitsiSrtpProbe} in the tests; it stays a test
 * dependency for the cross-check {@code JitsiSrtpInteropTest}). It does not fit a pure-JVM,
 * one-port, many-calls endpoint:
 * <ul>
 *   <li>it ships native libraries ({@code libjitsisrtp_*.so}, bound to the system OpenSSL) and
 *       loads one by JNI at first use, even when AES is set to SunJCE; it pulls jitsi-utils,
 *       kotlin-stdlib, kotlin-reflect, JNA and json-simple;</li>
 *   <li>the AES implementation is elected by a timed benchmark into process-wide statics
 *       ({@code Aes.setFactoryClassName} is the only control, and it is global);</li>
 *   <li>contexts are per SSRC with {@code synchronized} transform methods, logging through its
 *       own java.util.logging wrapper;</li>
 *   <li>measured per 100-byte packet, it allocates 240-248 bytes (native OpenSSL) and 544 (AES-CM)
 *       to 2,200 (GCM) bytes with pure-Java providers, against 0 here; its time per packet was
 *       no better than ours for AES-CM (≈600-800 ns native, ≈450 ns SunJCE vs ≈335 ns) and better
 *       for GCM (≈440 ns native, ≈380 ns with SunJCE's intrinsic GHASH, vs ≈510 ns), at that
 *       allocation cost. Best rounds on a shared 2-core machine under load; both well inside the
 *       2 µs budget, so allocation and fit decided.</li>
 * </ul>
 *
 * <h2>Measuring</h2>
 * <pre>
 * mvn -q -pl media test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp media/target/test-classes:media/target/classes:$(cat /tmp/cp.txt) dev.wavoice.media.srtp.SrtpBench 500000
 * java -cp media/target/test-classes:$(cat /tmp/cp.txt) dev.wavoice.media.srtp.JitsiSrtpProbe 500000 [SunJCE]
 * </pre>
 */
package dev.wavoice.media.srtp;
