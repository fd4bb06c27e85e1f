package dev.wavoice.server.permission;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Meta's answer to {@code GET /<PHONE_NUMBER_ID>/call_permissions}, parsed:
 * <pre>{"messaging_product":"whatsapp",
 *  "permission":{"status":"temporary","expiration_time":1745343479},
 *  "actions":[{"action_name":"start_call","can_perform_action":false,
 *              "limits":[{"time_period":"PT24H","max_allowed":5,"current_usage":5,"limit_expiration_time":1745622600}]}]}</pre>
 * Times are Unix seconds. {@code actionsJson} keeps {@code actions[]} as Meta sent it, for the store.
 */
public record PermissionCheck(PermissionStatus status, Instant expiresAt, List<PermissionAction> actions,
        String actionsJson) {

    public PermissionCheck {
        actions = actions == null ? List.of() : List.copyOf(actions);
    }

    /**
     * @throws IllegalArgumentException when the answer has no {@code permission.status} wavoice knows: guessing
     *     would risk dialling a user who never agreed
     */
    public static PermissionCheck parse(JsonNode answer) {
        JsonNode permission = answer.path("permission");
        PermissionStatus status = PermissionStatus.fromWire(permission.path("status").asText(null));
        if (status == null || !(status == PermissionStatus.NO_PERMISSION || status.isGrant())) {
            throw new IllegalArgumentException("permission.status missing or unknown: "
                    + (permission.has("status") ? permission.get("status").toString() : "absent"));
        }
        JsonNode actions = answer.path("actions");
        return new PermissionCheck(status, seconds(permission.path("expiration_time")), actions(actions),
                actions.isArray() ? actions.toString() : null);
    }

    /** Parses {@code actions[]} (from Graph, or as stored); entries without a name are skipped. */
    public static List<PermissionAction> actions(JsonNode actions) {
        List<PermissionAction> out = new ArrayList<>();
        if (!actions.isArray()) {
            return out;
        }
        for (JsonNode a : actions) {
            String name = a.path("action_name").asText(null);
            if (name == null) {
                continue;
            }
            List<ActionLimit> limits = new ArrayList<>();
            for (JsonNode l : a.path("limits")) {
                limits.add(new ActionLimit(l.path("time_period").asText(null), l.path("max_allowed").asInt(0),
                        l.path("current_usage").asInt(0), seconds(l.path("limit_expiration_time"))));
            }
            // Meta's Messenger variant spells it can_perform; WhatsApp's is can_perform_action.
            JsonNode can = a.has("can_perform_action") ? a.path("can_perform_action") : a.path("can_perform");
            out.add(new PermissionAction(name, can.asBoolean(false), limits));
        }
        return out;
    }

    static Instant seconds(JsonNode n) {
        if (n.isNumber()) {
            return Instant.ofEpochSecond(n.asLong());
        }
        if (n.isTextual() && n.asText().matches("\\d{1,12}")) {
            return Instant.ofEpochSecond(Long.parseLong(n.asText()));
        }
        return null;
    }
}
