package dev.wavoice.server.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The part of a number's {@code calling} settings that {@code wavoice setup} manages, as Graph spells it
 * ({@code POST /{phone_number_id}/settings}). Only the fields given are wanted; the others are left as they are,
 * which is also what Graph does with fields a POST omits. {@code call_hours} is one field: Graph replaces it whole.
 * The {@code sip} block is not ours to change (a SIP trunk configured there would be disturbed).
 */
public record CallingSettings(ObjectNode calling) {
    public static final String STATUS = "status";
    public static final String CALL_ICON_VISIBILITY = "call_icon_visibility";
    public static final String CALL_HOURS = "call_hours";
    public static final String CALLBACK_PERMISSION_STATUS = "callback_permission_status";

    /** The managed fields in the order the diff shows them, with the values Graph accepts (empty: an object). */
    static final Map<String, Set<String>> FIELDS = orderedFields();

    public CallingSettings {
        calling = calling.deepCopy();
    }

    private static Map<String, Set<String>> orderedFields() {
        var fields = new java.util.LinkedHashMap<String, Set<String>>();
        fields.put(STATUS, Set.of("ENABLED", "DISABLED"));
        fields.put(CALL_ICON_VISIBILITY, Set.of("DEFAULT", "DISABLE_ALL"));
        fields.put(CALL_HOURS, Set.of());
        fields.put(CALLBACK_PERMISSION_STATUS, Set.of("ENABLED", "DISABLED"));
        return java.util.Collections.unmodifiableMap(fields);
    }

    /** Nothing wanted yet. */
    public static CallingSettings none() {
        return new CallingSettings(JsonNodeFactory.instance.objectNode());
    }

    /**
     * The wanted settings from a file's JSON: either the {@code calling} object itself or {@code {"calling": {...}}}
     * (what a GET returns, so its output can be edited and given back).
     */
    public static CallingSettings fromJson(JsonNode json) {
        JsonNode calling = json.has("calling") ? json.get("calling") : json;
        if (!calling.isObject()) {
            throw new IllegalArgumentException("the settings file must hold a JSON object (the calling settings)");
        }
        CallingSettings settings = none();
        for (var entry : calling.properties()) {
            settings = settings.with(entry.getKey(), entry.getValue());
        }
        return settings;
    }

    /** These settings with {@code field} wanted at {@code value}; enum values are checked and upper-cased. */
    public CallingSettings with(String field, JsonNode value) {
        Set<String> allowed = FIELDS.get(field);
        if (allowed == null) {
            throw new IllegalArgumentException("unknown calling setting '" + field + "' (setup manages "
                    + String.join(", ", FIELDS.keySet()) + ")");
        }
        ObjectNode copy = calling.deepCopy();
        if (allowed.isEmpty()) {
            if (!value.isObject()) {
                throw new IllegalArgumentException(field + " must be a JSON object");
            }
            copy.set(field, value.deepCopy());
        } else {
            String v = value.isTextual() ? value.asText().trim().toUpperCase(Locale.ROOT).replace('-', '_') : "";
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException(field + " must be one of " + allowed.stream().sorted().toList()
                        + " (got " + value + ")");
            }
            copy.put(field, v);
        }
        return new CallingSettings(copy);
    }

    /** These settings with every field {@code other} wants laid over them (flags over a file). */
    public CallingSettings overriddenBy(CallingSettings other) {
        CallingSettings merged = this;
        for (var entry : other.calling.properties()) {
            merged = merged.with(entry.getKey(), entry.getValue());
        }
        return merged;
    }

    public boolean isEmpty() {
        return calling.isEmpty();
    }

    /** One change per wanted field whose value differs from {@code current} (a {@code calling} object from Graph). */
    public List<SettingChange> changesFrom(JsonNode current) {
        List<SettingChange> changes = new ArrayList<>();
        for (String field : FIELDS.keySet()) {
            JsonNode wanted = calling.get(field);
            if (wanted != null && !same(current.path(field), wanted)) {
                changes.add(new SettingChange(field, current.path(field), wanted));
            }
        }
        return changes;
    }

    /** Graph answers enum values upper-case; a difference in letter case is not a change. */
    private static boolean same(JsonNode current, JsonNode wanted) {
        if (current.isTextual() && wanted.isTextual()) {
            return current.asText().equalsIgnoreCase(wanted.asText());
        }
        return current.equals(wanted);
    }
}
