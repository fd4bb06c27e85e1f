package dev.wavoice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The WhatsApp offer fixture. {@code src/main/resources/whatsapp-offer.sdp} is a byte-for-byte copy of
 * {@code shared/fixtures/whatsapp/offer.sdp} (a test in this module keeps the two equal whenever the shared
 * folder sits beside the repository), bundled so that {@code benchmarks.jar} runs from any directory.
 */
final class WhatsAppOffer {
    static final String RESOURCE = "/whatsapp-offer.sdp";

    private WhatsAppOffer() {
    }

    static String sdp() {
        try (InputStream in = WhatsAppOffer.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
