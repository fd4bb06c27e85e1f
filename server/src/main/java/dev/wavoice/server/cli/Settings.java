package dev.wavoice.server.cli;

import dev.wavoice.server.config.ConfigException;
import java.net.URI;
import java.util.Map;

/**
 * Resolves one setting: the flag when given, else the environment variable, else the default. A variable set to
 * an empty string counts as unset (container tooling often exports empty values).
 */
final class Settings {
    private final Map<String, String> env;

    Settings(Map<String, String> env) {
        this.env = env;
    }

    String text(String flag, String variable, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        String v = env.get(variable);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    int number(Integer flag, String variable, int fallback) {
        if (flag != null) {
            return flag;
        }
        String v = text(null, variable, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(variable + " must be a whole number (got '" + v + "')");
        }
    }

    /** The URL, or null when neither flag, variable nor fallback gives one. */
    URI uri(String flag, String variable, String fallback) {
        String v = text(flag, variable, fallback);
        if (v == null) {
            return null;
        }
        try {
            return URI.create(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(variable + " is not a valid URL (got '" + v + "')");
        }
    }

    /** true/false (also yes/no, on/off, 1/0), or the fallback when the variable is unset. */
    boolean flag(String variable, boolean fallback) {
        String v = text(null, variable, null);
        if (v == null) {
            return fallback;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new ConfigException(variable + " must be true or false (got '" + v + "')");
        };
    }
}
