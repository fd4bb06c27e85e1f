package dev.wavoice.server.doctor;

import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the checks look at.
 *
 * @param config        the service configuration as {@code wavoice serve} would build it, or null when it does not parse
 * @param configError   why it does not parse (null when it does)
 * @param env           the process environment: placeholders, the agent's {@code OPENAI_*} settings, the Opus choice
 * @param database      the running server's call-log database, or null: the doctor opens one of its own per run
 * @param mediaPortHeld true inside the running server, whose own socket holds the media port
 * @param timeout       each check's bound; network requests get a little less, so that they can name the host
 */
public record DoctorSetup(WavoiceConfig config, String configError, Map<String, String> env, Database database,
        boolean mediaPortHeld, Duration timeout, Clock clock) {

    public DoctorSetup {
        env = Map.copyOf(env);
    }

    /** The bound of one HTTP request or socket: the check's timeout less a margin to report it in. */
    Duration requestTimeout() {
        long ms = Math.max(100, timeout.toMillis() - Math.min(400, timeout.toMillis() / 5));
        return Duration.ofMillis(ms);
    }

    /** The doctor with every standard check, in the order the report lists them. */
    public Doctor doctor() {
        List<DoctorCheck> checks = List.of(
                new ConfigurationCheck(this),
                configured(new GraphTokenCheck(this)),
                configured(new CallingCheck(this)),
                configured(new GraphVersionCheck(this)),
                configured(new OpenAiCheck(this)),
                configured(new MediaCheck(this)),
                configured(new DatabaseCheck(this)),
                new OpusCheck(this),
                configured(new ClockCheck(this)));
        return new Doctor(checks, timeout);
    }

    /** {@code check}, run only once the configuration has parsed (it reads it); else a fail naming why. */
    private DoctorCheck configured(DoctorCheck check) {
        return DoctorCheck.of(check.name(), () -> config == null
                ? Check.fail(check.name(), "not checked: the configuration does not parse", "see the configuration line")
                : check.run());
    }

    /** Every secret the configuration holds, for scrubbing text that came from outside before it is shown. */
    List<String> secrets() {
        java.util.ArrayList<String> all = new java.util.ArrayList<>();
        if (config != null) {
            for (var s : List.of(config.appSecret(), config.verifyToken(), config.accessToken(), config.adminToken(),
                    config.clusterSecret())) {
                if (s.isPresent()) {
                    all.add(s.reveal());
                }
            }
        }
        for (String name : List.of("OPENAI_API_KEY", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET",
                "WHATSAPP_VERIFY_TOKEN", "WAVOICE_ADMIN_TOKEN", "WAVOICE_CLUSTER_SECRET", "POSTGRES_PASSWORD")) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                all.add(v.trim());
            }
        }
        return all;
    }

    /** Why a request failed, scrubbed: the first message down the causes (the JDK's connect errors have none at the top). */
    String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return scrub(t.getMessage());
            }
        }
        return error.getClass().getSimpleName();
    }

    /** {@code text} with every secret, and anything shaped like an OpenAI key, taken out. */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        String out = text;
        for (String secret : secrets()) {
            if (secret.length() >= 4) {
                out = out.replace(secret, "<redacted>");
            }
        }
        // OpenAI quotes part of a refused key ("Incorrect API key provided: sk-ab***cd"): not ours to repeat.
        out = out.replaceAll("sk-[A-Za-z0-9_*\\-]+", "sk-<redacted>");
        return out.length() > 300 ? out.substring(0, 300) + "…" : out;
    }
}
