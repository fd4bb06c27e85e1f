package dev.wavoice.server.config;

import java.util.Optional;

/**
 * A secret taken from the environment or a flag. Its {@code toString} never shows the value, so a
 * config dump or an exception message cannot leak it into a log line.
 */
public final class Secret {
    private static final Secret NONE = new Secret(null);
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    public static Secret none() {
        return NONE;
    }

    public boolean isPresent() {
        return value != null;
    }

    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /** The value, for the few places that must use it (HMAC key, Authorization header). */
    public String reveal() {
        if (value == null) {
            throw new IllegalStateException("secret not configured");
        }
        return value;
    }

    @Override
    public String toString() {
        return value == null ? "<unset>" : "<redacted>";
    }
}
