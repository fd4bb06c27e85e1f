package dev.wavoice.server.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared WhatsApp fixtures, which sit in {@code shared/} beside the repository root. */
public final class Fixtures {
    private Fixtures() {}

    public static Path whatsapp(String name) {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/whatsapp").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("fixture " + name + " not found: expected shared/fixtures/whatsapp beside the repository");
    }

    public static String whatsappText(String name) {
        try {
            return Files.readString(whatsapp(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
