package dev.wavoice.server.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The scan itself: it must see a secret wherever a line carries it, and nothing in a clean line. */
class SecretScanAppenderTest {
    @TempDir
    Path dir;

    @Test
    void aSecretInTheMessageTheMdcOrAStackTraceIsReported() throws Exception {
        // The suite's own logger context (its MDC), but a logger of its own whose lines stay out of the suite's scan.
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        SecretScanAppender scan = new SecretScanAppender(dir);
        scan.setContext(context);
        scan.start();
        Logger logger = context.getLogger("scan-test");
        logger.setAdditive(false);
        logger.addAppender(scan);

        logger.info("call.ringing caller={} agent={}", "15550001111", "openai");
        assertThat(dir.resolve("leaks.txt")).doesNotExist();

        logger.info("graph.request Authorization=Bearer {}", TestServer.ACCESS_TOKEN);
        MDC.put("callId", "admin-123");
        logger.info("a clean message, a dirty call id");
        MDC.remove("callId");
        logger.warn("agent failed", new IllegalStateException("refused key sk-test-0a1b2c3d"));

        String leaks = Files.readString(dir.resolve("leaks.txt"));
        assertThat(leaks.lines()).hasSize(3);
        assertThat(leaks).contains(TestServer.ACCESS_TOKEN, "admin-123", "sk-test-0a1b2c3d");
        assertThat(scan.lines()).isEqualTo(4);
        logger.detachAppender(scan);
        scan.stop();
    }
}
