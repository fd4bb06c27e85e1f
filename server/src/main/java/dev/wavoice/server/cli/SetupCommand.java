package dev.wavoice.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.wavoice.server.config.Secret;
import dev.wavoice.server.config.WavoiceConfig;
import dev.wavoice.server.setup.CallingSettings;
import dev.wavoice.server.setup.CallingSetup;
import dev.wavoice.server.setup.GraphTarget;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wavoice setup}: the calling settings a number needs (calling on, call icon, call hours, callback
 * permission), set through Graph from flags or a file. It shows the difference first and changes nothing without
 * {@code --apply}. Reads the same WhatsApp variables as {@code wavoice serve}.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = "Show, then with --apply set, the number's WhatsApp calling settings through Graph.")
public final class SetupCommand implements Callable<Integer> {

    @Option(names = "--calling", paramLabel = "enabled|disabled", description = "Calling on the number.")
    String calling;

    @Option(names = "--call-icon", paramLabel = "default|disable-all",
            description = "Whether WhatsApp shows the call button in the chat with the business.")
    String callIcon;

    @Option(names = "--callback-permission", paramLabel = "enabled|disabled",
            description = "Whether a caller is asked to allow calls back from the business.")
    String callbackPermission;

    @Option(names = "--call-hours-file", paramLabel = "hours.json",
            description = "The call_hours object (status, timezone_id, weekly_operating_hours, holiday_schedule); "
                    + "Graph replaces the whole of it.")
    Path callHoursFile;

    @Option(names = "--file", paramLabel = "settings.json",
            description = "The calling object (or {\"calling\": {...}} as Graph returns it); flags override its fields.")
    Path file;

    @Option(names = "--apply", description = "Send the changes shown (without it nothing is changed).")
    boolean apply;

    @Option(names = "--phone-number-id", description = "Business phone number id (env WHATSAPP_PHONE_NUMBER_ID).")
    String phoneNumberId;

    @Option(names = "--graph-url", description = "Graph API base URL (env WHATSAPP_GRAPH_URL, default https://graph.facebook.com).")
    String graphUrl;

    @Option(names = "--graph-version", description = "Graph API version (env WHATSAPP_GRAPH_VERSION, default v23.0).")
    String graphVersion;

    @Option(names = "--timeout-ms", description = "Each Graph request's bound in milliseconds (default 10000).")
    long timeoutMs = CallingSetup.DEFAULT_TIMEOUT.toMillis();

    @Override
    public Integer call() throws InterruptedException {
        return run(System.getenv(), System.out);
    }

    /** Runs against {@code env}: 0 when done or nothing to do, 1 when Graph failed, 2 when the input is wrong. */
    public int run(Map<String, String> env, PrintStream out) throws InterruptedException {
        CallingSettings wanted;
        GraphTarget target;
        try {
            wanted = wanted();
            target = target(env);
        } catch (IllegalArgumentException e) {
            out.println("setup: " + e.getMessage());
            out.flush();
            return 2;
        }
        return new CallingSetup(target, Duration.ofMillis(timeoutMs)).run(wanted, apply, out);
    }

    private CallingSettings wanted() {
        ObjectMapper json = new ObjectMapper();
        CallingSettings wanted = file == null ? CallingSettings.none() : CallingSettings.fromJson(read(json, file));
        CallingSettings flags = CallingSettings.none();
        if (callHoursFile != null) {
            flags = flags.with(CallingSettings.CALL_HOURS, read(json, callHoursFile));
        }
        if (calling != null) {
            flags = flags.with(CallingSettings.STATUS, TextNode.valueOf(calling));
        }
        if (callIcon != null) {
            flags = flags.with(CallingSettings.CALL_ICON_VISIBILITY, TextNode.valueOf(callIcon));
        }
        if (callbackPermission != null) {
            flags = flags.with(CallingSettings.CALLBACK_PERMISSION_STATUS, TextNode.valueOf(callbackPermission));
        }
        wanted = wanted.overriddenBy(flags);
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("nothing wanted: give --calling, --call-icon, --callback-permission, "
                    + "--call-hours-file or --file");
        }
        return wanted;
    }

    private static com.fasterxml.jackson.databind.JsonNode read(ObjectMapper json, Path path) {
        try {
            return json.readTree(Files.readString(path));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e.getMessage());
        }
    }

    private GraphTarget target(Map<String, String> env) {
        Secret token = Secret.of(env.get("WHATSAPP_ACCESS_TOKEN"));
        if (!token.isPresent()) {
            throw new IllegalArgumentException("WHATSAPP_ACCESS_TOKEN is not set");
        }
        String id = pick(phoneNumberId, env.get("WHATSAPP_PHONE_NUMBER_ID"), null);
        if (id == null) {
            throw new IllegalArgumentException("WHATSAPP_PHONE_NUMBER_ID (or --phone-number-id) is not set");
        }
        String version = pick(graphVersion, env.get("WHATSAPP_GRAPH_VERSION"), WavoiceConfig.DEFAULT_GRAPH_VERSION);
        if (!version.matches("v\\d+\\.\\d+")) {
            throw new IllegalArgumentException("WHATSAPP_GRAPH_VERSION must look like v23.0 (got '" + version + "')");
        }
        String url = pick(graphUrl, env.get("WHATSAPP_GRAPH_URL"), WavoiceConfig.DEFAULT_GRAPH_URL);
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new IllegalArgumentException("WHATSAPP_GRAPH_URL must be an http(s) URL (got '" + url + "')");
        }
        return new GraphTarget(URI.create(url), version, id, token);
    }

    private static String pick(String flag, String fromEnv, String fallback) {
        if (flag != null && !flag.isBlank()) {
            return flag.trim();
        }
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : fallback;
    }
}
