package dev.wavoice.server.doctor;

import dev.wavoice.server.config.WavoiceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration parses as {@code wavoice serve} parses it, the four WhatsApp secrets are there, and no variable
 * still holds a placeholder copied from {@code .env.example} or a guide ({@code CHANGE-ME}, {@code your-token},
 * {@code xxx}, {@code <token>}). Only variable names are shown, never values.
 */
final class ConfigurationCheck implements DoctorCheck {
    static final String NAME = "configuration";
    /** The prefixes of the variables wavoice and its compose file read. */
    private static final List<String> PREFIXES = List.of("WAVOICE_", "WHATSAPP_", "OPENAI_", "POSTGRES_");

    private final DoctorSetup setup;

    ConfigurationCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Check run() {
        if (setup.config() == null) {
            return Check.fail(NAME, "does not parse: " + setup.scrub(setup.configError()),
                    "fix the variable named above (see wavoice serve --help for each one's format)");
        }
        List<String> placeholders = placeholders(setup.env());
        if (!placeholders.isEmpty()) {
            return Check.fail(NAME, "placeholder values in " + String.join(", ", placeholders),
                    "replace each with the real value (.env.example's CHANGE-ME lines must all be filled in)");
        }
        List<String> missing = missingSecrets(setup.config());
        if (!missing.isEmpty()) {
            return Check.fail(NAME, "not set: " + String.join(", ", missing),
                    "set them: the app secret is under App settings > Basic in the Meta app, the verify token is "
                            + "yours to choose (the same in the webhook settings), the access token a system user's, "
                            + "the phone number id from WhatsApp > API setup");
        }
        return Check.ok(NAME, "parsed; WhatsApp secrets present; agent " + setup.config().agent().configName());
    }

    static List<String> missingSecrets(WavoiceConfig config) {
        List<String> missing = new ArrayList<>();
        if (!config.appSecret().isPresent()) {
            missing.add("WHATSAPP_APP_SECRET");
        }
        if (!config.verifyToken().isPresent()) {
            missing.add("WHATSAPP_VERIFY_TOKEN");
        }
        if (!config.accessToken().isPresent()) {
            missing.add("WHATSAPP_ACCESS_TOKEN");
        }
        if (config.phoneNumberId() == null) {
            missing.add("WHATSAPP_PHONE_NUMBER_ID");
        }
        return missing;
    }

    /** The names, sorted, of wavoice's variables whose value is a placeholder. */
    static List<String> placeholders(Map<String, String> env) {
        List<String> names = new ArrayList<>();
        for (var e : new TreeMap<>(env).entrySet()) {
            if (PREFIXES.stream().anyMatch(e.getKey()::startsWith) && isPlaceholder(e.getValue())) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    static boolean isPlaceholder(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.contains("change-me") || v.contains("changeme") || v.contains("change_me")
                || v.contains("replace-me") || v.contains("replace_me") || v.equals("todo") || v.equals("tbd")
                || v.matches("x{3,}") || v.matches("<[^>]*>") || v.startsWith("your-") || v.startsWith("your_")
                || v.startsWith("<your") || v.equals("...");
    }
}
