package dev.wavoice.server.testsupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Reads every log line the test JVM writes (message, MDC call id and any stack trace) for the secrets the tests
 * configure: the app secret, the verify and access tokens, the admin token, and anything shaped like an API key.
 * A match is written to {@code target/log-scan/leaks.txt}; {@code LogSecretScanIT}, which runs after every test of
 * this module, fails on it, and also checks that lines were read at all (that this appender is wired).
 */
public final class SecretScanAppender extends AppenderBase<ILoggingEvent> {
    static final Path DIR = Path.of("target", "log-scan");
    /** The distinctive secret values the test suite hands the service (short ones like "secret" would match words). */
    private static final List<String> SECRETS = List.of(TestServer.APP_SECRET, TestServer.VERIFY_TOKEN,
            TestServer.ACCESS_TOKEN, "admin-123");
    private static final Pattern API_KEY = Pattern.compile("\\bsk-[A-Za-z0-9][A-Za-z0-9_-]{2,}");

    private final AtomicLong lines = new AtomicLong();
    private final Path dir;
    private Path countFile;

    /** As logback-test.xml makes it: writes under {@code target/log-scan}. */
    public SecretScanAppender() {
        this(DIR);
    }

    SecretScanAppender(Path dir) {
        this.dir = dir;
    }

    @Override
    public void start() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        countFile = dir.resolve("lines-" + ProcessHandle.current().pid() + ".count");
        Runtime.getRuntime().addShutdownHook(new Thread(this::writeCount));
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        lines.incrementAndGet();
        StringBuilder text = new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
        event.getMDCPropertyMap().values().forEach(v -> text.append(' ').append(v));
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
            for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                text.append(' ').append(frame.getSTEAsString());
            }
        }
        String line = text.toString();
        boolean leak = SECRETS.stream().anyMatch(line::contains) || API_KEY.matcher(line).find();
        if (leak) {
            write(dir.resolve("leaks.txt"), event.getLoggerName() + " " + line + System.lineSeparator());
        }
    }

    long lines() {
        return lines.get();
    }

    private void writeCount() {
        try {
            Files.writeString(countFile, Long.toString(lines.get()), StandardCharsets.UTF_8);
        } catch (IOException ignored) {
            // the JVM is going away; the scan then finds fewer lines and says so
        }
    }

    private static synchronized void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
