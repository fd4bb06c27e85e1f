package dev.wavoice.server.setup;

import dev.wavoice.server.config.Secret;
import java.net.URI;

/** The number whose settings are read and written, and how to reach Graph for it. */
public record GraphTarget(URI graphUrl, String graphVersion, String phoneNumberId, Secret accessToken) {

    /** {@code {graphUrl}/{version}/{phoneNumberId}/settings}. */
    URI settingsUri() {
        String base = graphUrl.toString().replaceAll("/+$", "");
        return URI.create(base + "/" + graphVersion + "/" + phoneNumberId + "/settings");
    }

    /** {@code text} with the access token taken out: Graph's messages and the JDK's errors are shown as they are. */
    String scrub(String text) {
        if (text == null || !accessToken.isPresent()) {
            return text;
        }
        return text.replace(accessToken.reveal(), "[token]");
    }
}
