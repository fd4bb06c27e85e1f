package dev.wavoice.server.setup;

import com.fasterxml.jackson.databind.JsonNode;

/** One calling setting as Graph has it and as it is wanted. {@code current} is a missing node when Graph has none. */
public record SettingChange(String field, JsonNode current, JsonNode wanted) {

    /** {@code field  current -> wanted}, objects shown as compact JSON. */
    public String line() {
        return String.format("  %-28s %s -> %s", field, shown(current), shown(wanted));
    }

    private static String shown(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return "(unset)";
        }
        return value.isTextual() ? value.asText() : value.toString();
    }
}
