package dev.wavoice.server.doctor;

import java.util.Objects;

/**
 * What one check of {@code wavoice doctor} found.
 *
 * @param name   short and stable ({@code graph token}, {@code database}): scripts read it from {@code --json}
 * @param status ok, warn or fail
 * @param found  what the check saw, one line; never a secret
 * @param advice what to do about it; empty when the status is ok
 */
public record Check(String name, Status status, String found, String advice) {

    public enum Status {
        OK, WARN, FAIL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Check {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        found = found == null ? "" : found;
        advice = status == Status.OK || advice == null ? "" : advice;
    }

    public static Check ok(String name, String found) {
        return new Check(name, Status.OK, found, "");
    }

    public static Check warn(String name, String found, String advice) {
        return new Check(name, Status.WARN, found, advice);
    }

    public static Check fail(String name, String found, String advice) {
        return new Check(name, Status.FAIL, found, advice);
    }
}
