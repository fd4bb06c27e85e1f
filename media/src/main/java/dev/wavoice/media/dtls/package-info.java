/**
 * DTLS 1.2 for DTLS-SRTP (RFC 5763/5764) on Bouncy Castle's {@code org.bouncycastle.tls}.
 *
 * <h2>Use</h2>
 * <pre>
 * DtlsCertificate cert = certificates.get();              // DtlsCertificate.perProcess() or perEndpoint()
 * answer.fingerprint(cert.fingerprint().toSdp());          // "sha-256 AB:CD:…"
 * DtlsEndpoint dtls = DtlsEndpoint.create(callId, DtlsRole.fromLocalSetup("active"), cert,
 *         DtlsFingerprint.parse(remoteFingerprintAttribute), socketSender, DtlsConfig.defaults(), events);
 * // the shared-port mux hands this call's DTLS datagrams (first byte 20..63, RFC 7983) to dtls.onDatagram
 * dtls.start(iceStartToConnected);                        // once ICE has a selected pair; first timer 2× that
 * // events: Connected(keys) → SrtpSession.create(keys, SrtpOptions.defaults());
 * //         Failed(DtlsFingerprintMismatchException | DtlsHandshakeTimeoutException | DtlsHandshakeFailedException)
 * //         Closed(PEER_CLOSE_NOTIFY | PEER_ALERT | LOCAL)
 * </pre>
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@code DtlsDatagramChannel} turns the shared socket's push into BC's pull with a bounded
 *       queue (drop and count when full; DTLS retransmits), MTU 1200 by default, and packs a flight's
 *       records into one datagram up to the MTU.</li>
 *   <li>{@code SrtpDtlsClient} / {@code SrtpDtlsServer}: ECDHE suites only, ECDSA or RSA peer
 *       certificates, {@code use_srtp} with our profile preference, client certificate required,
 *       and the peer's leaf certificate hashed with the SDP's algorithm and compared to its
 *       fingerprint before anything else ({@code bad_certificate} alert otherwise).</li>
 *   <li>{@code SrtpKeyExporter}: RFC 5764 §4.2 split of "EXTRACTOR-dtls_srtp".</li>
 *   <li>Each endpoint runs its handshake and then an alert watcher on one thread from
 *       {@link dev.wavoice.media.dtls.DtlsConfig#threads()} (virtual by default); BC holds no
 *       monitor while it waits for datagrams, so waiting calls pin no carrier thread.</li>
 *   <li>{@code DtlsWarmup}: in-memory handshakes at startup, so calls find the handshake code compiled.</li>
 * </ul>
 *
 * <h2>Proof</h2>
 * Our client against our server over a lossy in-memory link ({@code DtlsEndpointTest}), and
 * against OpenSSL's s_server/s_client over UDP on 127.0.0.1 with the exported keys compared to
 * OpenSSL's exporter output byte for byte ({@code OpenSslDtlsInteropTest}).
 * Handshake cost: {@code DtlsHandshakeBench}; on the server's threads, by handshakes done (JIT warm-up):
 * {@code DtlsHandshakeCpuProbe}.
 */
package dev.wavoice.media.dtls;
