package dev.wavoice.media.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads SDP fixtures: ours from the test classpath, the shared WhatsApp one from {@code <repoRoot>/../shared}. */
public final class SdpFixtures {
    private SdpFixtures() {
    }

    public static String resource(String name) {
        try (InputStream in = SdpFixtures.class.getResourceAsStream("/sdp/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /sdp/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String whatsAppOffer() {
        Path file = repoRoot().resolve("../shared/fixtures/whatsapp/offer.sdp").normalize();
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("the shared WhatsApp fixture must sit beside the repository: " + file, e);
        }
    }

    /** The directory holding {@code media/pom.xml}, searched upwards from the working directory. */
    public static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("media/pom.xml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }
}
