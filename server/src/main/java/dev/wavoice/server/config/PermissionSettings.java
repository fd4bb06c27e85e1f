package dev.wavoice.server.config;

import java.time.Duration;

/**
 * Call permission settings: the approved template (with a call permission request component) sent to a user
 * outside the 24 h customer-service window, its language, and how long a stored grant is trusted before Graph
 * is asked again.
 *
 * @param template         {@code WAVOICE_PERMISSION_TEMPLATE}; null: outside the window no request can be sent
 * @param templateLanguage {@code WAVOICE_PERMISSION_TEMPLATE_LANGUAGE}, default {@code en}
 * @param cacheFor         {@code WAVOICE_PERMISSION_CACHE_SECONDS}, default 60; zero asks Graph every time
 */
public record PermissionSettings(String template, String templateLanguage, Duration cacheFor) {
    public static final PermissionSettings DEFAULT = new PermissionSettings(null, "en", Duration.ofSeconds(60));

    public PermissionSettings {
        template = template == null || template.isBlank() ? null : template.trim();
        templateLanguage = templateLanguage == null || templateLanguage.isBlank() ? "en" : templateLanguage.trim();
        if (template != null && !template.matches("[a-z0-9_]{1,512}")) {
            throw new ConfigException("WAVOICE_PERMISSION_TEMPLATE must be a template name: lower-case letters, digits"
                    + " and _ (got '" + template + "')");
        }
        if (!templateLanguage.matches("[A-Za-z]{2,3}(_[A-Za-z]{2,4})?")) {
            throw new ConfigException("WAVOICE_PERMISSION_TEMPLATE_LANGUAGE must be a language code such as en or"
                    + " en_US (got '" + templateLanguage + "')");
        }
        if (cacheFor == null || cacheFor.isNegative()) {
            throw new ConfigException("WAVOICE_PERMISSION_CACHE_SECONDS must be >= 0 (got " + cacheFor + ")");
        }
    }
}
