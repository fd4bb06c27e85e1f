package dev.wavoice.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After every unit test of this module has run (failsafe runs after surefire): no log line the suite produced held a
 * secret the tests configured ({@link SecretScanAppender}), and the scan really read the suite's lines.
 */
class LogSecretScanIT {
    @Test
    void noLogLineOfTheSuiteHeldASecret() throws Exception {
        Path leaks = SecretScanAppender.DIR.resolve("leaks.txt");
        assertThat(leaks).as("log lines holding a secret").satisfies(p -> {
            if (Files.exists(p)) {
                assertThat(Files.readString(p)).isEmpty();
            }
        });
        long lines;
        try (Stream<Path> counts = Files.list(SecretScanAppender.DIR)) {
            lines = counts.filter(p -> p.getFileName().toString().endsWith(".count")).mapToLong(p -> {
                try {
                    return Long.parseLong(Files.readString(p).trim());
                } catch (Exception e) {
                    return 0;
                }
            }).sum();
        }
        assertThat(lines).as("log lines scanned (the suite logs thousands)").isGreaterThan(1_000);
    }
}
