package dev.wavoice.server.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Graph and OpenAI payloads under {@code src/test/resources/doctor/} (their sources: the README there). */
final class DoctorFixtures {
    private DoctorFixtures() {
    }

    static String read(String name) {
        try (InputStream in = DoctorFixtures.class.getResourceAsStream("/doctor/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture doctor/" + name + " missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
