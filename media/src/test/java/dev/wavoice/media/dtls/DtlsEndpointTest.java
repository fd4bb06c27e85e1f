package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.srtp.SrtpOptions;
import dev.wavoice.media.srtp.SrtpProfile;
import dev.wavoice.media.srtp.SrtpSession;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Our client against our server over an in-memory link: keys, loss, refusal, timeout, garbage, close. */
class DtlsEndpointTest {
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    private static final DtlsConfig FAST = DtlsConfig.defaults()
            .withInitialRetransmit(Duration.ofMillis(150))
            .withHandshakeTimeout(Duration.ofSeconds(8));

    /** A started endpoint and the events it reported. */
    record Side(DtlsEndpoint endpoint, BlockingQueue<DtlsEvent> events) {
        DtlsEvent next() throws InterruptedException {
            DtlsEvent e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("event within 10 s").isNotNull();
            return e;
        }
    }

    private final List<DtlsEndpoint> toClose = new java.util.ArrayList<>();

    @AfterEach
    void closeAll() {
        toClose.forEach(DtlsEndpoint::close);
    }

    private Side side(String id, DtlsRole role, DtlsCertificate cert, DtlsFingerprint expected,
                      DatagramSender out, DtlsConfig config) {
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        DtlsEndpoint e = DtlsEndpoint.create(id, role, cert, expected, out, config, events::add);
        toClose.add(e);
        return new Side(e, events);
    }

    /** Client and server wired together; the server is started first, as the passive side is. */
    private Side[] pair(InMemoryLink clientToServer, InMemoryLink serverToClient, DtlsConfig clientConfig,
                        DtlsConfig serverConfig, DtlsFingerprint clientExpects, DtlsFingerprint serverExpects) {
        Side server = side("server", DtlsRole.SERVER, SERVER_CERT, serverExpects, serverToClient, serverConfig);
        Side client = side("client", DtlsRole.CLIENT, CLIENT_CERT, clientExpects, clientToServer, clientConfig);
        clientToServer.connectTo(server.endpoint());
        serverToClient.connectTo(client.endpoint());
        server.endpoint().start();
        client.endpoint().start();
        return new Side[] {client, server};
    }

    private Side[] pair(InMemoryLink c2s, InMemoryLink s2c) {
        return pair(c2s, s2c, FAST, FAST, SERVER_CERT.fingerprint(), CLIENT_CERT.fingerprint());
    }

    @Test
    void bothSidesDeriveMirroredSrtpKeysAndTheyInteroperate() throws Exception {
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect());
        var client = (DtlsEvent.Connected) s[0].next();
        var server = (DtlsEvent.Connected) s[1].next();

        assertThat(client.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(server.keys()).isEqualTo(client.keys().mirrored());
        assertThat(client.keys().localKey()).isEqualTo(server.keys().remoteKey());
        assertThat(client.keys().localSalt()).isEqualTo(server.keys().remoteSalt());
        assertThat(client.peerFingerprint()).isEqualTo(SERVER_CERT.fingerprint());
        assertThat(server.peerFingerprint()).isEqualTo(CLIENT_CERT.fingerprint());

        var a = SrtpSession.create(client.keys(), SrtpOptions.defaults());
        var b = SrtpSession.create(server.keys(), SrtpOptions.defaults());
        byte[] rtp = new byte[64];
        rtp[0] = (byte) 0x80;
        rtp[11] = 1;
        int len = a.outbound().protectRtp(rtp, 0, 32);
        assertThat(b.inbound().unprotectRtp(rtp, 0, len)).isEqualTo(32);
    }

    @Test
    void serverPreferenceDecidesTheProfile() throws Exception {
        DtlsConfig cmFirst = FAST.withSrtpProfiles(
                List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM));
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect(), FAST, cmFirst,
                SERVER_CERT.fingerprint(), CLIENT_CERT.fingerprint());
        var client = (DtlsEvent.Connected) s[0].next();
        var server = (DtlsEvent.Connected) s[1].next();
        assertThat(client.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertThat(server.keys()).isEqualTo(client.keys().mirrored());
    }

    @Test
    void noCommonSrtpProfileFailsBothSides() throws Exception {
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect(),
                FAST.withSrtpProfiles(List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80)),
                FAST.withSrtpProfiles(List.of(SrtpProfile.AEAD_AES_128_GCM)),
                SERVER_CERT.fingerprint(), CLIENT_CERT.fingerprint());
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Failed.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Failed.class);
    }

    @Test
    void handshakeCompletesDespiteLostDatagrams() throws Exception {
        // Lose the first ClientHello, the first server flight's first datagram, and a later one each way.
        InMemoryLink c2s = new InMemoryLink(n -> n == 1 || n == 3);
        InMemoryLink s2c = new InMemoryLink(n -> n == 1 || n == 4);
        Side[] s = pair(c2s, s2c);
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(c2s.dropped() + s2c.dropped()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void firstRetransmitIsTwiceTheRoundTripWithinTheFloorAndTheCap() {
        Duration cap = Duration.ofSeconds(1);
        assertThat(DtlsEndpoint.firstRetransmit(Duration.ofMillis(100), cap)).isEqualTo(Duration.ofMillis(200));
        assertThat(DtlsEndpoint.firstRetransmit(Duration.ofMillis(1), cap)).isEqualTo(DtlsEndpoint.MIN_RETRANSMIT);
        assertThat(DtlsEndpoint.firstRetransmit(Duration.ofMillis(900), cap)).isEqualTo(cap);
        // A configured timer below the floor stays what was configured.
        assertThat(DtlsEndpoint.firstRetransmit(Duration.ofMillis(1), Duration.ofMillis(20)))
                .isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aLostFirstClientHelloCostsOnlyTheShortTimerWhenTheRoundTripIsKnown() throws Exception {
        // A peer whose DTLS stack is not listening yet when ICE connects drops our first ClientHello. With the
        // configured 30 s timer the client would not resend before the 20 s handshake timeout (nor within the
        // 10 s this test waits); from a 1 ms round trip it resends after the 50 ms floor.
        DtlsConfig slowTimer = DtlsConfig.defaults().withInitialRetransmit(Duration.ofSeconds(30))
                .withHandshakeTimeout(Duration.ofSeconds(20));
        InMemoryLink c2s = new InMemoryLink(n -> n == 1);
        InMemoryLink s2c = InMemoryLink.perfect();
        Side server = side("server", DtlsRole.SERVER, SERVER_CERT, CLIENT_CERT.fingerprint(), s2c, slowTimer);
        Side client = side("client", DtlsRole.CLIENT, CLIENT_CERT, SERVER_CERT.fingerprint(), c2s, slowTimer);
        c2s.connectTo(server.endpoint());
        s2c.connectTo(client.endpoint());
        server.endpoint().start();
        client.endpoint().start(Duration.ofMillis(1));

        assertThat(client.next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(server.next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(c2s.dropped()).isEqualTo(1);
        assertThat(client.endpoint().stats().datagramsSent()).as("ClientHello resent once, then the final flight")
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void lostFinalServerFlightIsRetransmittedAfterTheServerConnected() throws Exception {
        // The server is done once it sends ChangeCipherSpec+Finished; if that is lost, only the
        // post-handshake reader answering the client's retransmission can rescue the association.
        InMemoryLink s2c = InMemoryLink.losingFirstChangeCipherSpec();
        Side[] s = pair(InMemoryLink.perfect(), s2c);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s2c.dropped()).isEqualTo(1);
    }

    @Test
    void lostFinalClientFlightIsRetransmitted() throws Exception {
        InMemoryLink c2s = new InMemoryLink(n -> n == 2);
        Side[] s = pair(c2s, InMemoryLink.perfect());
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(c2s.dropped()).isEqualTo(1);
    }

    @Test
    void clientRefusesAServerWhoseCertificateIsNotTheSignalledOne() throws Exception {
        DtlsFingerprint wrong = DtlsCertificate.generate().fingerprint();
        long t0 = System.nanoTime();
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect(), FAST, FAST, wrong, CLIENT_CERT.fingerprint());
        var failed = (DtlsEvent.Failed) s[0].next();
        assertThat(failed.cause()).isInstanceOf(DtlsFingerprintMismatchException.class)
                .hasMessageContaining(wrong.toSdp());
        var serverFailed = (DtlsEvent.Failed) s[1].next();
        assertThat(serverFailed.cause()).isInstanceOf(DtlsHandshakeFailedException.class)
                .hasMessageContaining("bad_certificate");
        // Refused on the spot, not by timing out.
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(FAST.handshakeTimeout());
    }

    @Test
    void serverRefusesAClientWhoseCertificateIsNotTheSignalledOne() throws Exception {
        DtlsFingerprint wrong = DtlsCertificate.generate().fingerprint();
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect(), FAST, FAST, SERVER_CERT.fingerprint(), wrong);
        var serverFailed = (DtlsEvent.Failed) s[1].next();
        assertThat(serverFailed.cause()).isInstanceOf(DtlsFingerprintMismatchException.class);
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Failed.class);
    }

    @Test
    void silentPeerEndsInATypedTimeout() throws Exception {
        DtlsConfig quick = FAST.withHandshakeTimeout(Duration.ofMillis(900));
        InMemoryLink nowhere = InMemoryLink.perfect();
        Side client = side("client", DtlsRole.CLIENT, CLIENT_CERT, SERVER_CERT.fingerprint(), nowhere, quick);
        long t0 = System.nanoTime();
        client.endpoint().start();
        var failed = (DtlsEvent.Failed) client.next();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(failed.cause()).isInstanceOf(DtlsHandshakeTimeoutException.class);
        // Not before the configured time; the upper bound only catches a missing overall timeout.
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(850)).isLessThan(Duration.ofSeconds(6));
        assertThat(client.endpoint().stats().datagramsSent()).as("ClientHello retransmitted").isGreaterThan(1);
    }

    @Test
    void garbageDatagramsNeitherCrashNorPreventTheHandshake() throws Exception {
        Random random = new Random(7);
        InMemoryLink c2s = InMemoryLink.perfect();
        InMemoryLink s2c = InMemoryLink.perfect();
        Side[] s = pair(c2s, s2c);
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            junk[0] = (byte) (20 + random.nextInt(44)); // what an RFC 7983 mux passes to DTLS
            s[0].endpoint().onDatagram(junk, 0, junk.length);
            s[1].endpoint().onDatagram(junk, 0, junk.length);
        }
        s[0].endpoint().onDatagram(null, 0, 10);
        s[0].endpoint().onDatagram(new byte[4], 3, 9);
        s[0].endpoint().onDatagram(new byte[4], -1, 2);
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);

        // After the handshake the alert watcher reads the same channel: junk must not end the call.
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            junk[0] = (byte) (20 + random.nextInt(44));
            s[1].endpoint().onDatagram(junk, 0, junk.length);
        }
        assertThat(s[1].events().poll(200, TimeUnit.MILLISECONDS)).isNull();
        s[0].endpoint().close();
        assertThat(s[1].next()).isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.PEER_CLOSE_NOTIFY));
    }

    @Test
    void aForgedPlaintextAlertAfterTheHandshakeIsIgnored() throws Exception {
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect());
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        // Epoch 0, fatal handshake_failure: anyone on the path could send it. Once keys are in
        // use only authenticated (epoch 1) alerts may end the association.
        byte[] alert = {21, (byte) 0xfe, (byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, 2, 2, 40};
        s[1].endpoint().onDatagram(alert, 0, alert.length);
        assertThat(s[1].events().poll(300, TimeUnit.MILLISECONDS)).isNull();
        s[0].endpoint().close();
        assertThat(s[1].next()).isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.PEER_CLOSE_NOTIFY));
    }

    @Test
    void peerCloseNotifyIsObserved() throws Exception {
        Side[] s = pair(InMemoryLink.perfect(), InMemoryLink.perfect());
        assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        s[0].endpoint().close();
        assertThat(s[1].next()).isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.PEER_CLOSE_NOTIFY));
        assertThat(s[0].next()).isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.LOCAL));
    }

    @Test
    void rsaCertificatesAreAcceptedOnEitherSide() throws Exception {
        DtlsCertificate rsa = DtlsCertificate.generate(DtlsCertificate.KeyType.RSA_2048);
        InMemoryLink c2s = InMemoryLink.perfect();
        InMemoryLink s2c = InMemoryLink.perfect();
        Side server = side("rsa-server", DtlsRole.SERVER, rsa, CLIENT_CERT.fingerprint(), s2c, FAST);
        Side client = side("client", DtlsRole.CLIENT, CLIENT_CERT, rsa.fingerprint(), c2s, FAST);
        c2s.connectTo(server.endpoint());
        s2c.connectTo(client.endpoint());
        server.endpoint().start();
        client.endpoint().start();
        assertThat(client.next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(server.next()).isInstanceOf(DtlsEvent.Connected.class);
        // The RSA certificate flight is the largest we see; it must be fragmented to the MTU.
        assertThat(s2c.largest()).isLessThanOrEqualTo(FAST.mtu());

        InMemoryLink c2s2 = InMemoryLink.perfect();
        InMemoryLink s2c2 = InMemoryLink.perfect();
        Side server2 = side("server", DtlsRole.SERVER, SERVER_CERT, rsa.fingerprint(), s2c2, FAST);
        Side client2 = side("rsa-client", DtlsRole.CLIENT, rsa, SERVER_CERT.fingerprint(), c2s2, FAST);
        c2s2.connectTo(server2.endpoint());
        s2c2.connectTo(client2.endpoint());
        server2.endpoint().start();
        client2.endpoint().start();
        assertThat(client2.next()).isInstanceOf(DtlsEvent.Connected.class);
        assertThat(server2.next()).isInstanceOf(DtlsEvent.Connected.class);
    }

    @Test
    void manyConcurrentHandshakesNeedNoPlatformThreadEach() throws Exception {
        int pairs = 40;
        int platformBefore = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
        List<Side[]> all = new java.util.ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            all.add(pair(InMemoryLink.perfect(), InMemoryLink.perfect(), DtlsConfig.defaults(), DtlsConfig.defaults(),
                    SERVER_CERT.fingerprint(), CLIENT_CERT.fingerprint()));
        }
        int platformDuring = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
        for (Side[] s : all) {
            assertThat(s[0].next()).isInstanceOf(DtlsEvent.Connected.class);
            assertThat(s[1].next()).isInstanceOf(DtlsEvent.Connected.class);
        }
        // 80 endpoints, each with a live handshake or watcher, on a handful of carrier threads.
        assertThat(platformDuring - platformBefore).isLessThan(pairs);
    }

    @Test
    void closingDuringTheHandshakeReportsAFailure() throws Exception {
        Side client = side("client", DtlsRole.CLIENT, CLIENT_CERT, SERVER_CERT.fingerprint(),
                InMemoryLink.perfect(), FAST);
        client.endpoint().start();
        client.endpoint().close();
        var failed = (DtlsEvent.Failed) client.next();
        assertThat(failed.cause()).isInstanceOf(DtlsHandshakeFailedException.class);
    }
}
