package dev.wavoice.server.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wavoice.server.config.WavoiceConfig;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The checks that need no fake service: placeholders, the Graph version table, the media port and address, the doctor's own deadline. */
class DoctorChecksTest {
    private static final Clock TODAY = Clock.fixed(Instant.parse("2026-12-06T12:00:00Z"), ZoneOffset.UTC);

    private static DoctorSetup setup(UnaryOperator<WavoiceConfig.Builder> tweak, Map<String, String> env) {
        WavoiceConfig config = tweak.apply(WavoiceConfig.builder().httpHost("127.0.0.1").mediaHost("127.0.0.1")
                .mediaPort(0).instanceId("doctor-test")).build();
        return new DoctorSetup(config, null, env, null, false, Duration.ofMillis(1500), TODAY);
    }

    @Test
    void everyValueLeftInEnvExampleIsAPlaceholder() throws Exception {
        Path example = null;
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(".env.example"))) {
                example = dir.resolve(".env.example");
                break;
            }
        }
        assertThat(example).as(".env.example at the repository root").isNotNull();
        int values = 0;
        for (String line : Files.readAllLines(example)) {
            if (line.isBlank() || line.startsWith("#") || !line.contains("=")) {
                continue;
            }
            String value = line.substring(line.indexOf('=') + 1);
            if (!value.isBlank()) {
                values++;
                assertThat(ConfigurationCheck.isPlaceholder(value)).as(line).isTrue();
            }
        }
        assertThat(values).isGreaterThanOrEqualTo(6);
        for (String placeholder : List.of("changeme", "your-access-token", "xxxx", "<token>", "REPLACE_ME")) {
            assertThat(ConfigurationCheck.isPlaceholder(placeholder)).as(placeholder).isTrue();
        }
        for (String real : List.of("EAAGm0PX4ZCpsBA", "106540352242922", "203.0.113.7", "v23.0", "openai")) {
            assertThat(ConfigurationCheck.isPlaceholder(real)).as(real).isFalse();
        }
    }

    @Test
    void theOldestServedGraphVersionFollowsTheTwoYearRule() {
        // v20.0 is served until two years after v21.0's release (2024-10-02), then v21.0 is the oldest
        assertThat(GraphVersionCheck.oldestServed(LocalDate.of(2026, 10, 1)).label()).isEqualTo("v20.0");
        assertThat(GraphVersionCheck.oldestServed(LocalDate.of(2026, 10, 2)).label()).isEqualTo("v21.0");
        assertThat(GraphVersionCheck.oldestServed(LocalDate.of(2030, 1, 1)).label()).isEqualTo("v23.0");

        Check expiring = new GraphVersionCheck(setup(b -> b.graphVersion("v21.0"), Map.of())).run();
        assertThat(expiring.status()).isEqualTo(Check.Status.WARN);
        assertThat(expiring.found()).isEqualTo("v21.0 is served only until 2027-01-21");
        Check served = new GraphVersionCheck(setup(b -> b.graphVersion("v22.0"), Map.of())).run();
        assertThat(served).isEqualTo(Check.ok("graph version", "v22.0 served until 2027-05-29"));
    }

    @Test
    void aMediaPortInUseFails() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Check check = new MediaCheck(setup(b -> b.mediaPort(taken.getLocalPort()).publicIp("127.0.0.1"),
                    Map.of())).run();

            assertThat(check.status()).isEqualTo(Check.Status.FAIL);
            assertThat(check.found()).startsWith("UDP 127.0.0.1:" + taken.getLocalPort() + " cannot be bound");
            assertThat(check.advice()).contains("WAVOICE_MEDIA_PORT");
        }
        // inside the server its own socket holds the port: not a failure
        DoctorSetup inside = setup(b -> b.publicIp("127.0.0.1"), Map.of());
        inside = new DoctorSetup(inside.config(), null, Map.of(), null, true, inside.timeout(), TODAY);
        assertThat(new MediaCheck(inside).run().found()).contains("held by this server");
    }

    @Test
    void thePublicIpIsComparedWithWhatStunSees() throws Exception {
        InetSocketAddress nat = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 40000);
        try (StunResponder stun = new StunResponder(nat)) {
            Check same = new MediaCheck(setup(b -> b.publicIp("203.0.113.7").stunServer(stun.hostPort()), Map.of()))
                    .run();
            assertThat(same.status()).as(same.toString()).isEqualTo(Check.Status.OK);
            assertThat(same.found()).endsWith("announces 203.0.113.7, as STUN " + stun.hostPort() + " sees this host");

            Check other = new MediaCheck(setup(b -> b.publicIp("198.51.100.9").stunServer(stun.hostPort()), Map.of()))
                    .run();
            assertThat(other.status()).isEqualTo(Check.Status.FAIL);
            assertThat(other.advice()).startsWith("set WAVOICE_PUBLIC_IP to 203.0.113.7");
        }
        Check unconfirmed = new MediaCheck(setup(b -> b.publicIp("198.51.100.9"), Map.of())).run();
        assertThat(unconfirmed.status()).isEqualTo(Check.Status.WARN);
        assertThat(unconfirmed.found()).endsWith("not an address of this host (1:1 NAT?)");
    }

    @Test
    void privateAddressesAreTold() throws Exception {
        assertThat(MediaCheck.isPublic(InetAddress.getByName("10.1.2.3"))).isFalse();
        assertThat(MediaCheck.isPublic(InetAddress.getByName("100.64.0.1"))).isFalse();
        assertThat(MediaCheck.isPublic(InetAddress.getByName("fd00::1"))).isFalse();
        assertThat(MediaCheck.isPublic(InetAddress.getByName("203.0.113.7"))).isTrue();
    }

    @Test
    void aCheckThatNeverReturnsIsFailedAtItsDeadlineWhileTheOthersFinish() {
        CountDownLatch never = new CountDownLatch(1);
        Doctor doctor = new Doctor(List.of(
                DoctorCheck.of("stuck", () -> {
                    never.await();
                    return Check.ok("stuck", "unreachable");
                }),
                DoctorCheck.of("quick", () -> Check.ok("quick", "fine")),
                DoctorCheck.of("broken", () -> {
                    throw new IllegalStateException("no such thing");
                })), Duration.ofMillis(400));

        DoctorReport report = doctor.run();

        assertThat(report.checks()).containsExactly(
                Check.fail("stuck", "no result within 400 ms",
                        "the service this check asks did not answer in time: see its network path"),
                Check.ok("quick", "fine"),
                Check.fail("broken", "the check failed: no such thing", ""));
        assertThat(report.took()).isBetween(Duration.ofMillis(350), Duration.ofMillis(1500));
        assertThat(report.failed()).isTrue();
    }

    @Test
    void secretsAndOpenAiKeyFragmentsAreScrubbed() {
        DoctorSetup s = setup(b -> b.accessToken("EAAG-secret-token-1"), Map.of("OPENAI_API_KEY", "sk-live-abcdef"));
        assertThat(s.scrub("bad token EAAG-secret-token-1 and key sk-live-abcdef or sk-li***ef"))
                .isEqualTo("bad token <redacted> and key <redacted> or sk-<redacted>");
        assertThat(DatabaseCheck.where("jdbc:postgresql://wavoice:pw@db:5432/wavoice?password=pw"))
                .isEqualTo("jdbc:postgresql://db:5432/wavoice");
    }

    @Test
    void theClockIsComparedWithGraphsDate() throws Exception {
        com.sun.net.httpserver.HttpServer graph = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        graph.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1); // Graph's answer to a bare GET; its Date header is what counts
            ex.close();
        });
        graph.start();
        try {
            java.net.URI url = java.net.URI.create("http://127.0.0.1:" + graph.getAddress().getPort());
            Check right = new ClockCheck(clocked(url, Clock.systemUTC())).run();
            assertThat(right.status().name()).isEqualTo("OK");
            Check drifting = new ClockCheck(clocked(url, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(20))))
                    .run();
            assertThat(drifting.status().name()).isEqualTo("WARN");
            assertThat(drifting.found()).contains("ahead of");
            Check wrong = new ClockCheck(clocked(url, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-5))))
                    .run();
            assertThat(wrong.status().name()).isEqualTo("FAIL");
            assertThat(wrong.found()).contains("behind");
            assertThat(wrong.advice()).contains("NTP");
        } finally {
            graph.stop(0);
        }
    }

    private static DoctorSetup clocked(java.net.URI graphUrl, Clock clock) {
        DoctorSetup base = setup(b -> b.graphUrl(graphUrl), Map.of());
        return new DoctorSetup(base.config(), null, Map.of(), null, false, base.timeout(), clock);
    }
}
