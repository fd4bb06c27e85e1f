package dev.wavoice.media.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.srtp.SrtpProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against an independent implementation: OpenSSL's s_server / s_client over UDP on 127.0.0.1.
 * OpenSSL prints the RFC 5764 exporter output, so our exported SRTP keys are checked byte for byte.
 */
class OpenSslDtlsInteropTest {
    private static final Path OPENSSL = Path.of("/usr/bin/openssl");
    private static final Pattern KEYING = Pattern.compile("Keying material: ([0-9A-F]+)");
    private static final Pattern PROFILE = Pattern.compile("SRTP Extension negotiated, profile=(\\S+)");

    @TempDir
    static Path dir;
    static Path cert;
    static Path key;
    static DtlsFingerprint opensslFingerprint;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void opensslCertificate() throws Exception {
        // An independent DTLS implementation is the point of this suite: fail, never skip, without it.
        if (!Files.isExecutable(OPENSSL)) {
            throw new IllegalStateException(OPENSSL + " not found: install Debian's 'openssl' package");
        }
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        Process p = new ProcessBuilder(OPENSSL.toString(), "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(),
                "-out", cert.toString(), "-days", "2", "-subj", "/CN=openssl-peer")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String pem = Files.readString(cert).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        opensslFingerprint = DtlsFingerprint.sha256(Base64.getDecoder().decode(pem));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
    }

    @Test
    void ourClientAgainstOpenSslServer() throws Exception {
        int port = UdpLoopback.freePort();
        Output server = openssl("s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-verify", "1",
                "-use_srtp", "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80",
                "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "56");
        server.await(Pattern.compile("ACCEPT"));

        var udp = new UdpLoopback(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        resources.add(udp);
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        DtlsEndpoint client = DtlsEndpoint.create("openssl-client-test", DtlsRole.CLIENT, DtlsCertificate.generate(),
                opensslFingerprint, udp, DtlsConfig.defaults(), events::add);
        resources.add(client);
        udp.deliverTo(client);
        client.start();

        var connected = (DtlsEvent.Connected) events.poll(10, TimeUnit.SECONDS);
        assertThat(connected).isNotNull();
        assertThat(connected.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(server.await(PROFILE)).isEqualTo("SRTP_AEAD_AES_128_GCM");
        byte[] material = HexFormat.of().parseHex(server.await(KEYING));
        assertThat(connected.keys()).isEqualTo(
                SrtpKeyExporter.split(material, SrtpProfile.AEAD_AES_128_GCM, DtlsRole.CLIENT));

        client.close(); // our close_notify must be one OpenSSL understands
        server.await(Pattern.compile("^DONE$")); // s_server saw close_notify and ended the session
        assertThat(events.poll(5, TimeUnit.SECONDS)).isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.LOCAL));
    }

    @Test
    void openSslClientAgainstOurServer() throws Exception {
        var udp = new UdpLoopback(null);
        resources.add(udp);
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        DtlsEndpoint server = DtlsEndpoint.create("openssl-server-test", DtlsRole.SERVER, DtlsCertificate.generate(),
                opensslFingerprint, udp, DtlsConfig.defaults(), events::add);
        resources.add(server);
        udp.deliverTo(server);
        server.start();

        Output client = openssl("s_client", "-dtls1_2", "-connect", "127.0.0.1:" + udp.port(),
                "-cert", cert.toString(), "-key", key.toString(),
                "-use_srtp", "SRTP_AES128_CM_SHA1_80",
                "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60");

        var connected = (DtlsEvent.Connected) events.poll(10, TimeUnit.SECONDS);
        assertThat(connected).isNotNull();
        assertThat(connected.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        byte[] material = HexFormat.of().parseHex(client.await(KEYING));
        assertThat(connected.keys()).isEqualTo(
                SrtpKeyExporter.split(material, SrtpProfile.AES_CM_128_HMAC_SHA1_80, DtlsRole.SERVER));

        client.type("Q"); // s_client's quit: SSL_shutdown, i.e. close_notify
        assertThat(events.poll(10, TimeUnit.SECONDS))
                .isEqualTo(new DtlsEvent.Closed(DtlsEvent.CloseReason.PEER_CLOSE_NOTIFY));
    }

    @Test
    void openSslServerWithAnUnsignalledCertificateIsRefused() throws Exception {
        int port = UdpLoopback.freePort();
        Output server = openssl("s_server", "-dtls1_2", "-accept", "127.0.0.1:" + port,
                "-cert", cert.toString(), "-key", key.toString(), "-use_srtp", "SRTP_AES128_CM_SHA1_80");
        server.await(Pattern.compile("ACCEPT"));
        var udp = new UdpLoopback(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        resources.add(udp);
        BlockingQueue<DtlsEvent> events = new LinkedBlockingQueue<>();
        DtlsEndpoint client = DtlsEndpoint.create("openssl-mitm-test", DtlsRole.CLIENT, DtlsCertificate.generate(),
                DtlsCertificate.generate().fingerprint(), udp, DtlsConfig.defaults(), events::add);
        resources.add(client);
        udp.deliverTo(client);
        client.start();
        var failed = (DtlsEvent.Failed) events.poll(10, TimeUnit.SECONDS);
        assertThat(failed).isNotNull();
        assertThat(failed.cause()).isInstanceOf(DtlsFingerprintMismatchException.class);
    }

    /** A running openssl command whose output lines are collected for matching. */
    private final class Output {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Process process;

        Output(Process process) {
            this.process = process;
            Thread.ofVirtual().start(() -> {
                try (var r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // process ended
                }
            });
        }

        /** Types an s_client/s_server command line, e.g. "Q" (shut down with close_notify). */
        void type(String command) throws IOException {
            process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            process.getOutputStream().flush();
        }

        /** The first group (or the whole match) of the next line matching {@code p}, within 10 s. */
        String await(Pattern p) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<String> seen = new ArrayList<>();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                seen.add(line);
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.groupCount() > 0 ? m.group(1) : m.group();
                }
            }
            throw new AssertionError("openssl never printed " + p + "; output: " + seen);
        }
    }

    private Output openssl(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(OPENSSL.toString());
        command.addAll(List.of(args));
        // stdin stays open (a pipe we never write), so s_client/s_server keep the association up.
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        resources.add(() -> {
            p.destroy();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        });
        return new Output(p);
    }
}
