package dev.wavoice.server.permission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** The Meta-shaped call permission payloads under {@code src/test/resources/whatsapp/permissions/}. */
final class PermissionFixtures {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PHONE_NUMBER_ID = "110000000000001";
    static final String USER = "15557654321";
    static final String BSUID = "US.13491208655302741918";
    /** The reply fixtures' request message id ({@code context.id}). */
    static final String REQUEST_MESSAGE_ID = "wamid.HBgLMTU1NTc2NTQzMjEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA";

    private PermissionFixtures() {}

    static String text(String name) {
        try (InputStream in = PermissionFixtures.class.getResourceAsStream("/whatsapp/permissions/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return JSON.readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A permission check fixture whose {@code permission.expiration_time} is {@code expiresAt}. */
    static String withExpiry(String name, Instant expiresAt) {
        ObjectNode root = (ObjectNode) json(name);
        ((ObjectNode) root.path("permission")).put("expiration_time", expiresAt.getEpochSecond());
        return root.toString();
    }

    /** A webhook fixture with its single message's id and timestamp replaced (a new delivery). */
    static String webhook(String name, String messageId, Instant sentAt) {
        ObjectNode root = (ObjectNode) json(name);
        ObjectNode message = (ObjectNode) root.path("entry").path(0).path("changes").path(0).path("value")
                .path("messages").path(0);
        message.put("id", messageId);
        message.put("timestamp", Long.toString(sentAt.getEpochSecond()));
        return root.toString();
    }

    /** The {@code value} of a webhook fixture's single change. */
    static JsonNode value(String webhook) {
        try {
            return JSON.readTree(webhook).path("entry").path(0).path("changes").path(0).path("value");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
