package dev.wavoice.media.ice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.media.sdp.Candidate;
import dev.wavoice.media.transport.MuxEndpoint;
import dev.wavoice.media.transport.PacketClass;
import dev.wavoice.media.transport.UdpMux;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our agent, on a real {@link UdpMux}, against pion/ice (an independent implementation) over loopback.
 * Opt-in because building the Go peer takes ~20 s cold: {@code mvn -pl media verify -Dwavoice.interop=true}
 * (needs Debian's golang-go and golang-github-pion-webrtc.v3-dev, which bring pion/ice).
 */
@EnabledIfSystemProperty(named = "wavoice.interop", matches = "true")
class PionIceInteropTest {
    static final Path GOPATH = Path.of("target/pion-gopath").toAbsolutePath();
    static final Path BINARY = Path.of("target/pionice").toAbsolutePath();
    static final Path DEBIAN_GOCODE = Path.of("/usr/share/gocode");

    final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void buildPeer() throws Exception {
        // Debian installs pion modules without the /v2 directory their import paths use: overlay symlinks.
        for (String module : List.of("transport", "udp")) {
            Path link = GOPATH.resolve("src/github.com/pion/" + module + "/v2");
            Files.createDirectories(link.getParent());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, DEBIAN_GOCODE.resolve("src/github.com/pion/" + module));
            }
        }
        Path source = GOPATH.resolve("src/pionice");
        if (!Files.exists(source, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(source, Path.of("src/test/go/pionice").toAbsolutePath());
        }
        ProcessBuilder go = new ProcessBuilder("go", "build", "-o", BINARY.toString(), "pionice")
                .redirectErrorStream(true).redirectOutput(new File("target/pionice-build.log"));
        go.environment().put("GO111MODULE", "off");
        go.environment().put("GOPATH", GOPATH + File.pathSeparator + DEBIAN_GOCODE);
        go.environment().put("GOCACHE", Path.of("target/go-cache").toAbsolutePath().toString());
        Process build = go.start();
        assertThat(build.waitFor(180, TimeUnit.SECONDS)).as("go build finished").isTrue();
        assertThat(build.exitValue()).as("go build, see target/pionice-build.log").isZero();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    @ParameterizedTest(name = "pion {0}, we are {1}")
    @CsvSource({"lite, CONTROLLED", "controlled, CONTROLLING", "controlling, CONTROLLED"})
    void connectsAndCarriesDataBothWays(String pionMode, IceRole ourInitialRole) throws Exception {
        Process pion = new ProcessBuilder(BINARY.toString(), pionMode).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        closeables.add(pion::destroy);
        BufferedReader out = new BufferedReader(new InputStreamReader(pion.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter in = new PrintWriter(pion.getOutputStream(), true, StandardCharsets.UTF_8);
        closeables.add(in::close);
        List<IceCandidate> pionCandidates = new ArrayList<>();
        String[] pionCredentials = null;
        while (pionCredentials == null) {
            String line = readLine(out);
            if (line.startsWith("CAND ")) {
                pionCandidates.add(IceCandidate.fromSdp(Candidate.parse(line.substring(5))));
            } else if (line.startsWith("CREDS ")) {
                pionCredentials = line.split(" ");
            }
        }

        UdpMux mux = UdpMux.open("pion-interop", new InetSocketAddress("127.0.0.1", 0));
        closeables.add(mux);
        IceTicker ticker = new IceTicker("pion-interop-ticker", Duration.ofMillis(5));
        closeables.add(ticker);
        IceCredentials ours = IceCredentials.random(new SecureRandom());
        BlockingQueue<String> data = new LinkedBlockingQueue<>();
        IceAgent[] agent = new IceAgent[1];
        MuxEndpoint endpoint = mux.register("pion-interop", ours.ufrag(), (cls, buf, off, len, from) -> {
            if (cls == PacketClass.STUN) {
                agent[0].handleStun(buf, off, len, from, System.nanoTime());
            } else {
                data.add(new String(buf, off + 1, len - 1, StandardCharsets.US_ASCII));
            }
        });
        agent[0] = new IceAgent("pion-interop", IceConfig.defaults(), ours, ourInitialRole, endpoint, e -> { },
                new SecureRandom());
        IceCandidate host = IceCandidate.host(mux.localAddress(), 65535);
        agent[0].addLocalCandidate(host);
        agent[0].setRemoteCredentials(pionCredentials[1], pionCredentials[2], pionMode.equals("lite"));
        pionCandidates.forEach(agent[0]::addRemoteCandidate);
        in.println("CREDS " + ours.ufrag() + " " + ours.pwd());
        in.println("CAND " + host.toSdp().format());
        in.println("END");
        ticker.add(agent[0]);
        agent[0].start(System.nanoTime());

        assertThat(readLine(out)).startsWith("CONNECTED");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (agent[0].state() != IceState.CONNECTED && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(agent[0].state()).isEqualTo(IceState.CONNECTED);
        assertThat(agent[0].role()).isEqualTo(pionMode.equals("controlling") ? IceRole.CONTROLLED : IceRole.CONTROLLING);

        byte[] datagram = "xhello from wavoice".getBytes(StandardCharsets.US_ASCII);
        datagram[0] = (byte) 0x80; // RTP range, so pion hands it to its Conn and our mux to our handler
        String echo = null;
        for (int attempt = 0; attempt < 25 && echo == null; attempt++) { // UDP: resend until pion's Conn reads
            endpoint.send(datagram, 0, datagram.length, agent[0].selectedPair().remote().address());
            echo = data.poll(200, TimeUnit.MILLISECONDS);
        }
        assertThat(echo).isEqualTo("hello from wavoice");
        assertThat(readLine(out)).isEqualTo("ECHOED " + datagram.length);
        assertThat(agent[0].stats().badIntegrity() + agent[0].stats().malformed()).isZero();
    }

    private static String readLine(BufferedReader out) throws IOException {
        String line = out.readLine();
        assertThat(line).as("pion peer output").isNotNull().doesNotStartWith("ERROR").doesNotStartWith("FAILED");
        return line;
    }
}
