package dev.wavoice.server.doctor;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * {@code WHATSAPP_GRAPH_VERSION} is one Meta still serves. Graph answers a call to an expired version with the
 * oldest one it still serves, so nothing fails at once: fields and behaviour change under the service instead.
 */
final class GraphVersionCheck implements DoctorCheck {
    static final String NAME = "graph version";
    /** Warn this long before a version stops being served. */
    private static final int WARN_DAYS = 60;

    /** One Graph API version and the day Meta released it. */
    record Version(int major, int minor, LocalDate released) {
        String label() {
            return "v" + major + "." + minor;
        }
    }

    /**
     * Release dates from Meta's changelog (https://developers.facebook.com/docs/graph-api/changelog/versions).
     * Each version is served until two years after the next one's release (the rule on
     * https://developers.facebook.com/docs/apps/versions, "Version Schedules"), which gives each "available until".
     * The newest version here has no end yet; add a row when Meta releases one.
     */
    static final List<Version> VERSIONS = List.of(
            new Version(16, 0, LocalDate.of(2023, 2, 2)),
            new Version(17, 0, LocalDate.of(2023, 5, 23)),
            new Version(18, 0, LocalDate.of(2023, 9, 12)),
            new Version(19, 0, LocalDate.of(2024, 1, 23)),
            new Version(20, 0, LocalDate.of(2024, 5, 21)),
            new Version(21, 0, LocalDate.of(2024, 10, 2)),
            new Version(22, 0, LocalDate.of(2025, 1, 21)),
            new Version(23, 0, LocalDate.of(2025, 5, 29)));

    private final DoctorSetup setup;

    GraphVersionCheck(DoctorSetup setup) {
        this.setup = setup;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The last day {@code VERSIONS.get(i)} is served, or null while it is the newest known. */
    static LocalDate availableUntil(int i) {
        return i + 1 < VERSIONS.size() ? VERSIONS.get(i + 1).released().plusYears(2) : null;
    }

    /** The oldest version still served on {@code today}. */
    static Version oldestServed(LocalDate today) {
        for (int i = 0; i < VERSIONS.size(); i++) {
            LocalDate until = availableUntil(i);
            if (until == null || until.isAfter(today)) {
                return VERSIONS.get(i);
            }
        }
        return VERSIONS.getLast();
    }

    @Override
    public Check run() {
        String configured = setup.config().graphVersion(); // validated as v<major>.<minor>
        String[] parts = configured.substring(1).split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        LocalDate today = LocalDate.ofInstant(setup.clock().instant(), ZoneOffset.UTC);
        Version oldest = oldestServed(today);
        String advice = "set WHATSAPP_GRAPH_VERSION to " + VERSIONS.getLast().label() + " or newer, after reading "
                + "Meta's changelog for the versions in between";
        if (major < oldest.major() || (major == oldest.major() && minor < oldest.minor())) {
            return Check.warn(NAME, configured + " is no longer served (the oldest served on " + today + " is "
                    + oldest.label() + "); Graph answers it as " + oldest.label(), advice);
        }
        for (int i = 0; i < VERSIONS.size(); i++) {
            Version v = VERSIONS.get(i);
            LocalDate until = availableUntil(i);
            if (v.major() == major && v.minor() == minor && until != null) {
                if (!until.isAfter(today.plusDays(WARN_DAYS))) {
                    return Check.warn(NAME, configured + " is served only until " + until, advice);
                }
                return Check.ok(NAME, configured + " served until " + until);
            }
        }
        return Check.ok(NAME, configured + " (newer than the oldest served, " + oldest.label() + ")");
    }
}
